import { Cron } from 'croner';
import type { PeriodicConfig } from '../structs/job';

/**
 * Nomad's cron specs (gorhill/cronexpr forms) on the croner library: 5 fields; 6 fields, which
 * cronexpr reads as minute…year (no seconds); 7 fields, seconds…year; and the `@daily`-style
 * macros. Times are computed in the job's TimeZone. Pure.
 */
function croner(spec: string, timeZone: string): Cron {
  const fields = spec.trim().split(/\s+/);
  const pattern = fields.length === 6 && !spec.trim().startsWith('@') ? `0 ${spec.trim()}` : spec.trim();
  return new Cron(pattern, { timezone: timeZone || 'UTC', paused: true, legacyMode: true });
}

/** Why a spec is invalid, or undefined when it is valid. */
export function cronSpecError(spec: string, timeZone = 'UTC'): string | undefined {
  try {
    croner(spec, timeZone);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The first launch strictly after `after`, over all the job's specs; undefined if none is ever due. */
export function nextLaunch(periodic: PeriodicConfig, after: Date): Date | undefined {
  const specs = periodic.Specs && periodic.Specs.length > 0 ? periodic.Specs : [periodic.Spec];
  let best: Date | undefined;
  for (const spec of specs) {
    const next = croner(spec, periodic.TimeZone).nextRun(after);
    if (next && (!best || next < best)) best = next;
  }
  return best ?? undefined;
}
