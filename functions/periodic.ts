// Lambda entry point of the scheduled duties (EventBridge, every minute; a timer locally).
import { runPeriodicDuties } from '../shared/duties/duties';

export async function handler(): Promise<void> {
  await runPeriodicDuties(new Date());
}
