import { serviceLogger } from '../../observability/logger';
import { nextIndex } from '../../storage/index-clock';
import { failOpenEval } from '../store/evals';
import type { Evaluation } from '../structs/evaluation';
import { EMPTY_RESULT, finishEval } from './finish-eval';

/**
 * Takes an evaluation out of circulation for good: SQS refuses it, or it failed again in its own
 * failed follow-up. It is marked `failed` with the reason as its StatusDescription (as Nomad
 * shows why an evaluation failed) and nothing sends or retries it again; `nomad job eval` makes a
 * new one. A record too malformed to be finished the ordinary way is failed by its key alone.
 * Never throws: quarantine runs inside the sweeps that must survive whatever the store holds.
 */
const logger = serviceLogger('placement-worker');

/** Whether the evaluation is out of circulation now (quarantined here, or finished by another run). */
export async function quarantineEval(evaluation: Evaluation, reason: string): Promise<boolean> {
  logger.error('evaluation quarantined', { evalId: evaluation.ID, jobId: evaluation.JobID, namespace: evaluation.Namespace, reason });
  try {
    await finishEval(evaluation, EMPTY_RESULT, { failed: reason, final: true });
    return true;
  } catch (error) {
    logger.warn('could not finish the quarantined evaluation; failing it by its key', { evalId: evaluation.ID, error: error as Error });
  }
  try {
    await failOpenEval(evaluation, reason, nextIndex());
    return true;
  } catch (error) {
    logger.error('could not quarantine the evaluation', { evalId: evaluation.ID, error: error as Error });
    return false;
  }
}
