import { jobsIndex } from '../store/collection-index';
import { walkJobs, withChildren, type JobRecord } from '../store/jobs';

/**
 * `GET /v1/jobs` paging, in the store: reads pages of each namespace's jobs in ID order until it
 * has `perPage` matches plus one more (whose token becomes X-Nomad-NextToken), never the whole
 * set. Several namespaces (`namespace=*`) are walked in name order, so the order is
 * (namespace, ID). The filter applies before counting, as in Nomad.
 */
/** A huge per_page reads step after step of this many jobs. */
const MAX_STORE_PAGE = 1000;

export interface ListJobsQuery {
  namespaces: string[];
  prefix?: string;
  perPage: number;
  /** Nomad's token `<namespace>.<id>`. */
  nextToken?: string;
  reverse: boolean;
  filter?: (record: JobRecord) => boolean;
}

export interface ListJobsResult {
  records: JobRecord[];
  nextToken?: string;
  index: number;
}

function pageToken(record: JobRecord): string {
  return `${record.job.Namespace}.${record.job.ID}`;
}

function splitToken(token: string | undefined): { namespace: string; id: string } | undefined {
  if (!token) return undefined;
  const dot = token.indexOf('.');
  return dot < 0 ? undefined : { namespace: token.slice(0, dot), id: token.slice(dot + 1) };
}

export async function listJobs(query: ListJobsQuery): Promise<ListJobsResult> {
  const wanted = query.perPage > 0 ? query.perPage + 1 : Infinity;
  const start = splitToken(query.nextToken);
  const namespaces = [...query.namespaces].sort();
  if (query.reverse) namespaces.reverse();
  const matches: JobRecord[] = [];
  const [index] = await Promise.all([
    jobsIndex(),
    (async () => {
      for (const namespace of namespaces) {
        if (start && (query.reverse ? namespace > start.namespace : namespace < start.namespace)) continue;
        const startAt = start?.namespace === namespace ? start.id : undefined;
        const jobs = walkJobs({
          namespace,
          prefix: query.prefix,
          startAt,
          reverse: query.reverse,
          pageSize: Number.isFinite(wanted) ? Math.min(Math.max(wanted - matches.length, 25), MAX_STORE_PAGE) : 200,
        });
        for await (const record of jobs) {
          if (query.filter && !query.filter(record)) continue;
          matches.push(record);
          if (matches.length >= wanted) break;
        }
        if (matches.length >= wanted) break;
      }
    })(),
  ]);
  let nextToken: string | undefined;
  if (matches.length > query.perPage && query.perPage > 0) nextToken = pageToken(matches.pop()!);
  const records = await Promise.all(matches.map(withChildren));
  // Status and summary changes move a job's own indexes, not the collection's: a blocking list
  // must wake on those too.
  const listed = records.reduce((max, record) => Math.max(max, record.job.ModifyIndex, record.summary.ModifyIndex), 0);
  return { records, nextToken, index: Math.max(index, listed) };
}
