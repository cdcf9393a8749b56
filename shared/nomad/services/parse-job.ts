import { canonicalizeJob } from '../jobspec/canonicalize';
import { JobspecParseError, parseJobspec } from '../jobspec/hcl/parse-jobspec';
import { badRequest } from '../errors';

/**
 * `POST /v1/jobs/parse`: an HCL2 jobspec to its JSON Job, with Nomad's defaults filled in when
 * `Canonicalize` is set.
 */
export interface ParseRequest {
  hcl: string;
  canonicalize: boolean;
  variables?: string;
  variableFlags?: Record<string, string>;
  namespace: string;
}

export async function parseJob(request: ParseRequest): Promise<Record<string, unknown>> {
  if (!request.hcl.trim()) throw badRequest('Job spec is empty');
  let job: Record<string, any>;
  try {
    job = parseJobspec(request.hcl, request.variables, request.variableFlags);
  } catch (error) {
    if (error instanceof JobspecParseError) throw badRequest(`Failed to parse job: ${error.message}`);
    throw error;
  }
  if (!request.canonicalize) return job;
  // Nomad's api.Job.Canonicalize: the groups and tasks get their defaults; job-level fields the
  // server fills in at register (datacenters, update, status, submit time) stay unset.
  const canonical = canonicalizeJob(job) as Record<string, unknown>;
  return {
    ...canonical,
    Namespace: job.Namespace ?? request.namespace,
    Datacenters: job.Datacenters ?? null,
    Update: job.Update ? canonical.Update : null,
    TaskGroups: job.TaskGroups ? canonical.TaskGroups : null,
    Status: '',
    SubmitTime: null,
    Reschedule: null,
    Migrate: null,
  };
}
