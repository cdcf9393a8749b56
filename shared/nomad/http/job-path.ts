/**
 * Splits `/v1/job/<id>[/<action>]` the way Nomad does: job IDs may contain `/` (dispatched
 * children are `<parent>/dispatch-…`, sent as `%2F`), so the path is decoded first and a known
 * suffix is taken off the end; whatever remains is the job ID. Pure.
 */
const JOB_ACTIONS = [
  'evaluate',
  'allocations',
  'evaluations',
  'periodic/force',
  'plan',
  'summary',
  'dispatch',
  'versions',
  'revert',
  'deployments',
  'deployment',
  'stable',
  'scale',
  'services',
  'submission',
  'actions',
  'action',
] as const;

export type JobAction = (typeof JOB_ACTIONS)[number] | 'job' | 'tag';

export interface JobPath {
  jobId: string;
  action: JobAction;
  /** For `versions/<tag>/tag`. */
  tag?: string;
}

/** `undefined` when the path names no job (`/v1/job/` alone) or a malformed tag route. */
export function parseJobPath(rawPath: string): JobPath | undefined {
  const prefix = '/v1/job/';
  if (!rawPath.startsWith(prefix)) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(rawPath.slice(prefix.length));
  } catch {
    return undefined;
  }
  if (path.endsWith('/tag')) {
    const match = /^(.+)\/versions\/([^/]+)\/tag$/.exec(path);
    return match ? { jobId: match[1], action: 'tag', tag: match[2] } : undefined;
  }
  for (const action of JOB_ACTIONS) {
    const suffix = `/${action}`;
    if (path.endsWith(suffix) && path.length > suffix.length) {
      return { jobId: path.slice(0, -suffix.length), action };
    }
  }
  return path ? { jobId: path, action: 'job' } : undefined;
}
