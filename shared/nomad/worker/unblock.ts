import { listOpenEvals } from '../store/evals';
import { enqueueEvals } from './eval-queue';

/**
 * Capacity appeared (a node registered, or allocations stopped): give blocked evaluations another
 * try. They stay `blocked` in the store while queued; the worker either places them (complete) or
 * blocks them again, so an unblock that is lost or repeated never loses or duplicates work.
 */
export async function unblockEvals(exceptJobId?: string): Promise<number> {
  const blocked = (await listOpenEvals('blocked')).filter((evaluation) => evaluation.JobID !== exceptJobId);
  await enqueueEvals(blocked);
  return blocked.length;
}
