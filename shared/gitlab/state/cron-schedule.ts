import { Cron } from 'croner';
import railsTimezone from 'rails-timezone';

/**
 * A pipeline schedule's `cron` and `cron_timezone` (GitLab's `Gitlab::Ci::CronParser`, on Fugit):
 * 5 fields (or 6 with seconds first) or `@daily`-style, in a time zone named as
 * `ActiveSupport::TimeZone` (`Pacific Time (US & Canada)`) or as TZInfo (`America/Los_Angeles`). Pure.
 */
const ianaZone = (timeZone: string) => railsTimezone.from(timeZone) ?? timeZone;

function parse(cron: string, timeZone: string): Cron {
  return new Cron(cron.trim(), { timezone: ianaZone(timeZone), paused: true, legacyMode: true });
}

export function isValidCron(cron: string): boolean {
  if (cron.trim() === '') return false;
  try {
    parse(cron, 'UTC');
    return true;
  } catch {
    return false;
  }
}

export function isValidCronTimezone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: ianaZone(timeZone) });
    return true;
  } catch {
    return false;
  }
}

/** The first run strictly after `after` (ms). A cron that never runs again answers far in the future. */
export function nextRunAfter(cron: string, timeZone: string, after: number): number {
  return parse(cron, timeZone).nextRun(new Date(after))?.getTime() ?? Date.UTC(9999, 11, 31);
}
