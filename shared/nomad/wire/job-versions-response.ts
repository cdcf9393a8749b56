import type { VersionsResult } from '../services/job-versions';
import { readQueryMeta } from './query-meta';

/** Nomad's JobVersionsResponse: the kept versions, newest first, and their diffs when asked for. */
export function jobVersionsResponse(result: VersionsResult) {
  return { Diffs: result.diffs, Versions: result.versions, ...readQueryMeta(result.index) };
}
