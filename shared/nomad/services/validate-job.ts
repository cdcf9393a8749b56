import { validateJob as checkJob } from '../jobspec/validate';
import type { Job } from '../structs/job';
import { BUILT_IN_NODE_POOLS } from './register-job';

/**
 * `PUT /v1/validate/job` (Nomad's Job.Validate): the checks a register makes, answered
 * (wire/job-validate-response.ts) instead of thrown. Nothing is written. Pure.
 */
export function validateJobSpec(job: Job): { errors: string[]; warnings: string[] } {
  const { errors, warnings } = checkJob(job);
  if (!BUILT_IN_NODE_POOLS.has(job.NodePool)) errors.push(`job "${job.ID}" is in nonexistent node pool "${job.NodePool}"`);
  return { errors, warnings };
}
