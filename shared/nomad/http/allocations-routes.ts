import type { Context, Hono } from 'hono';
import { listAllocs } from '../services/list-allocs';
import type { Allocation } from '../structs/allocation';
import { allocListStub } from '../wire/alloc-list-stub';
import { blockingPage, filterPredicate, pagingParams, readableNamespaces, uuidPrefixParam } from './collection-params';
import { methodNotAllowed } from '../errors';
import { boolParam, namespaceParam } from './params';
import { nomadJson } from './respond';

/**
 * `GET /v1/allocations`: allocations across jobs as AllocListStubs, in creation order (by ID with
 * `prefix`), paged with `per_page`/`next_token`, `filter`ed on the full Allocation, over one
 * namespace or every readable one (`*`). Needs `read-job`.
 */
async function handleListAllocs(c: Context): Promise<Response> {
  const paging = pagingParams(c);
  const fields = {
    resources: boolParam(c, 'resources'),
    taskStates: c.req.query('task_states') ? boolParam(c, 'task_states') : true,
  };
  // The server checks the token before it looks at the prefix or the filter.
  const namespaces = await readableNamespaces(c, namespaceParam(c), 'read-job');
  const prefix = uuidPrefixParam(c, 'alloc');
  const filter = filterPredicate<Allocation>(c.req.query('filter'));
  const page = await blockingPage(c, () => listAllocs({ namespaces, prefix, filter, ...paging }));
  return nomadJson(
    c,
    page.allocs.map((listed) => allocListStub(listed.stored, listed.alloc.Job?.Type ?? '', fields)),
  );
}

export function mountAllocationsRoutes(app: Hono): void {
  app.get('/v1/allocations', handleListAllocs);
  app.all('/v1/allocations', () => {
    throw methodNotAllowed();
  });
}
