import { formatErrors, formatWarnings, validateJob as checkJob } from '../jobspec/validate';
import type { Job } from '../structs/job';
import { BUILT_IN_NODE_POOLS } from './register-job';

/**
 * `PUT /v1/validate/job` (Nomad's Job.Validate): the checks a register makes, answered as
 * Nomad's JobValidateResponse instead of an error. Nothing is written. Pure.
 */
export interface JobValidateResponse {
  DriverConfigValidated: boolean;
  ValidationErrors: string[] | null;
  Error: string;
  Warnings: string;
}

export function validateJobSpec(job: Job): JobValidateResponse {
  const { errors, warnings } = checkJob(job);
  if (!BUILT_IN_NODE_POOLS.has(job.NodePool)) errors.push(`job "${job.ID}" is in nonexistent node pool "${job.NodePool}"`);
  return {
    // Nomad leaves driver configuration to the clients and says so with `true`.
    DriverConfigValidated: true,
    ValidationErrors: errors.length > 0 ? errors : null,
    Error: errors.length > 0 ? formatErrors(errors) : '',
    Warnings: formatWarnings(warnings),
  };
}
