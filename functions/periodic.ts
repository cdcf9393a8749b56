// Lambda entry point of the scheduled duties (EventBridge, every minute; a timer locally).
import { runPeriodicDuties } from '../shared/periodic/duties';

export async function handler(): Promise<void> {
  await runPeriodicDuties(new Date());
}
