import type { RunnerRecord } from '../records';

/** `Entities::Ci::Runner` (embedded in jobs), and what registering or creating a runner answers. */
const ONLINE_MS = 2 * 60 * 60 * 1000;

function runnerStatus(runner: RunnerRecord, now: number): string {
  if (runner.paused) return 'paused';
  if (runner.contactedAt === null) return 'never_contacted';
  return now - runner.contactedAt < ONLINE_MS ? 'online' : 'offline';
}

export function runnerEntity(runner: RunnerRecord, now: number) {
  return {
    id: runner.id,
    description: runner.description,
    ip_address: null,
    active: !runner.paused,
    paused: runner.paused,
    is_shared: runner.runnerType === 'instance_type',
    runner_type: runner.runnerType,
    name: (runner.info.name as string | undefined) ?? null,
    online: runnerStatus(runner, now) === 'online',
    status: runnerStatus(runner, now),
  };
}

export function runnerRegistration(runner: RunnerRecord, token: string) {
  return { id: runner.id, token, token_expires_at: null };
}
