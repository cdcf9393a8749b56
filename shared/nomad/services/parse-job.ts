import { canonicalizeJob } from '../jobspec/canonicalize';
import { JobspecParseError, parseJobspec } from '../jobspec/hcl/parse-jobspec';
import { badRequest } from '../http/errors';

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
  const canonical = canonicalizeJob(job) as Record<string, unknown>;
  if (!job.Namespace) canonical.Namespace = request.namespace;
  return { ...canonical, Reschedule: null, Migrate: null };
}
