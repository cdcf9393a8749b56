import { collectionIndex } from '../../storage/table-index';
import { JOBS_COLLECTION } from '../store/keys';
import { queryJobPage, type JobRecord } from '../store/jobs';

/**
 * `GET /v1/jobs` paging, in the store: reads pages of the namespace's jobs in ID order until it
 * has `perPage` matches plus one more (whose token becomes X-Nomad-NextToken), never the whole set.
 * The filter applies before counting, as in Nomad.
 */
export interface ListJobsQuery {
  namespace: string;
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

export function pageToken(record: JobRecord): string {
  return `${record.job.Namespace}.${record.job.ID}`;
}

export async function listJobs(query: ListJobsQuery): Promise<ListJobsResult> {
  const startAt = query.nextToken?.startsWith(`${query.namespace}.`) ? query.nextToken.slice(query.namespace.length + 1) : undefined;
  const wanted = query.perPage > 0 ? query.perPage + 1 : Infinity;
  const matches: JobRecord[] = [];
  let startKey: Record<string, any> | undefined;
  const [index] = await Promise.all([
    collectionIndex(JOBS_COLLECTION),
    (async () => {
      do {
        const page = await queryJobPage({
          namespace: query.namespace,
          prefix: query.prefix,
          startAt,
          reverse: query.reverse,
          pageSize: Number.isFinite(wanted) ? Math.max(wanted - matches.length, 25) : 200,
          exclusiveStartKey: startKey,
        });
        for (const record of page.records) {
          if (query.prefix && !record.job.ID.startsWith(query.prefix)) continue;
          if (query.filter && !query.filter(record)) continue;
          matches.push(record);
          if (matches.length >= wanted) break;
        }
        startKey = page.lastKey;
      } while (startKey && matches.length < wanted);
    })(),
  ]);
  if (matches.length > query.perPage && query.perPage > 0) {
    const next = matches.pop()!;
    return { records: matches, nextToken: pageToken(next), index };
  }
  return { records: matches, index };
}
