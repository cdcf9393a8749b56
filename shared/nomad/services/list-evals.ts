import { walkEvals } from '../store/collection-walks';
import type { Evaluation } from '../structs/evaluation';
import { listIndex, pageToken, takePage, tokenStart, walkPageSize } from './collection-page';

/** `GET /v1/evaluations` and `/v1/evaluations/count`: evaluations across jobs. */
export interface ListEvalsQuery {
  namespaces: string[];
  prefix?: string;
  perPage: number;
  nextToken?: string;
  reverse: boolean;
  filter?: (evaluation: Evaluation) => boolean;
}

export interface ListEvalsResult {
  evals: Evaluation[];
  nextToken?: string;
  index: number;
}

const asIs = async (batch: Evaluation[]) => batch;

export async function listEvals(query: ListEvalsQuery): Promise<ListEvalsResult> {
  const byId = query.prefix !== undefined;
  const walk = walkEvals({
    namespaces: query.namespaces,
    prefix: query.prefix,
    from: tokenStart(query.nextToken, byId),
    reverse: query.reverse,
    pageSize: walkPageSize(query.perPage),
  });
  const page = await takePage(walk, query.perPage, asIs, query.filter);
  return { evals: page.items, nextToken: page.next && pageToken(page.next, byId), index: listIndex(page.items) };
}

/** Every matching evaluation is read (there is no count without a read in DynamoDB), a page at a time. */
export async function countEvals(query: Pick<ListEvalsQuery, 'namespaces' | 'prefix' | 'filter'>): Promise<{ count: number; index: number }> {
  let count = 0;
  let index = 1;
  for await (const evaluation of walkEvals({ namespaces: query.namespaces, prefix: query.prefix, reverse: false, pageSize: 500 })) {
    if (query.filter && !query.filter(evaluation)) continue;
    count++;
    index = Math.max(index, evaluation.ModifyIndex);
  }
  return { count, index };
}
