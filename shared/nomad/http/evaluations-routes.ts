import type { Context, Hono } from 'hono';
import * as z from '../../util/zod';
import { requireManagement } from '../acl/guard';
import { deleteEvals } from '../services/delete-evals';
import { countEvals, listEvals } from '../services/list-evals';
import { listNamespaces } from '../store/namespaces';
import type { Evaluation } from '../structs/evaluation';
import { evalCountResponse } from '../wire/eval-count-response';
import { evalDeleteResponse } from '../wire/eval-delete-response';
import { evaluationWire } from '../wire/evaluation';
import { blockingQuery } from './blocking';
import { nomadBody } from './body';
import { blockingPage, filterPredicate, pagingParams, readableNamespaces, uuidPrefixParam } from './collection-params';
import { badRequest, methodNotAllowed } from '../errors';
import { namespaceParam } from './params';
import { nomadJson, setIndex, setQueryMeta } from './respond';

/**
 * `GET /v1/evaluations` (full Evaluations, paged as allocations are), `GET /v1/evaluations/count`
 * and `DELETE /v1/evaluations`. Reads need `read-job`, the delete a management token.
 */

/** Nomad's MaxUUIDsPerWriteRequest. */
const MAX_IDS = 7281;

/** `filter`, or the legacy exact `job` and `status` filters; not both. */
function evalFilter(c: Context): ((evaluation: Evaluation) => boolean) | undefined {
  const job = c.req.query('job');
  const status = c.req.query('status');
  const filter = filterPredicate<Evaluation>(c.req.query('filter'));
  if (filter && (job || status)) throw badRequest('Filter expression cannot be used with other filter parameters');
  if (filter) return filter;
  if (!job && !status) return undefined;
  return (evaluation) => (!job || evaluation.JobID === job) && (!status || evaluation.Status === status);
}

async function handleListEvals(c: Context): Promise<Response> {
  const paging = pagingParams(c);
  // The server checks the token before it looks at the prefix or the filters.
  const namespaces = await readableNamespaces(c, namespaceParam(c), 'read-job');
  const prefix = uuidPrefixParam(c, 'eval');
  const filter = evalFilter(c);
  const page = await blockingPage(c, () => listEvals({ namespaces, prefix, filter, ...paging }));
  return nomadJson(c, page.evals.map(evaluationWire));
}

async function handleCountEvals(c: Context): Promise<Response> {
  const namespaces = await readableNamespaces(c, namespaceParam(c), 'read-job');
  const prefix = uuidPrefixParam(c, 'eval');
  const filter = filterPredicate<Evaluation>(c.req.query('filter'), 'bexpr');
  const result = await blockingQuery(c, async () => {
    const counted = await countEvals({ namespaces, prefix, filter });
    return { index: counted.index, body: counted.count };
  });
  setQueryMeta(c, result.index);
  return nomadJson(c, evalCountResponse(result.body, result.index));
}

const DeleteBody = z.object({ EvalIDs: z.array(z.string()).nullish(), Filter: z.string().optional() }).passthrough();

async function handleDeleteEvals(c: Context): Promise<Response> {
  const body = await nomadBody(c, DeleteBody);
  const ids = body.EvalIDs ?? [];
  const expression = body.Filter ?? '';
  if (ids.length === 0 && expression === '') throw badRequest('evals must be deleted by either ID or filter');
  if (ids.length > 0 && expression !== '') throw badRequest('evals cannot be deleted by both ID and filter');
  if (ids.length > MAX_IDS) throw badRequest(`request includes ${ids.length} evaluation IDs, must be ${MAX_IDS} or fewer`);
  await requireManagement(c);
  let result;
  if (ids.length > 0) {
    result = await deleteEvals({ evalIds: ids });
  } else {
    const filter = filterPredicate<Evaluation>(expression, 'skip-errors')!;
    const namespaces = (await listNamespaces()).map((entry) => entry.Name);
    result = await deleteEvals({ filter, namespaces });
  }
  setIndex(c, result.index);
  return nomadJson(c, evalDeleteResponse(result));
}

export function mountEvaluationsRoutes(app: Hono): void {
  app.get('/v1/evaluations/count', handleCountEvals);
  app.get('/v1/evaluations', handleListEvals);
  app.delete('/v1/evaluations', handleDeleteEvals);
  app.all('/v1/evaluations', () => {
    throw methodNotAllowed();
  });
}
