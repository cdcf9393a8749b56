import type { Context, Hono } from 'hono';
import * as z from '../../util/zod';
import { permissionDenied, resolveRequest } from '../acl/guard';
import { fuzzySearch, MIN_TERM_LENGTH } from '../services/fuzzy-search';
import { prefixSearch } from '../services/prefix-search';
import { contextError, JOB_CONTEXTS, SEARCH_CONTEXTS, type SearchContext, type SearchScope } from '../services/search-scope';
import { listNamespaces } from '../store/namespaces';
import { searchResponse } from '../wire/search-response';
import { nomadBody } from './body';
import { badRequest, methodNotAllowed } from '../errors';
import { nomadJson, setQueryMeta } from './respond';

/**
 * `PUT|POST /v1/search` and `/v1/search/fuzzy`. The namespace is the query's, else the body's,
 * else `default` (`*` for all). A named context the token may not read is 403; `all` leaves
 * such contexts out, and namespaces are filtered one by one. Where Nomad answers 500 for a bad
 * context or a short fuzzy text, the same text comes with 400.
 */
export const SearchBody = z
  .object({ Prefix: z.string().optional(), Text: z.string().optional(), Context: z.string().optional(), Namespace: z.string().optional() })
  .passthrough();

function searchContext(context: string | undefined): SearchContext | 'all' {
  if (context === 'all' || (SEARCH_CONTEXTS as readonly string[]).includes(context ?? '')) return context as SearchContext | 'all';
  throw badRequest(contextError(context ?? ''));
}

async function searchScope(c: Context, namespace: string, context: SearchContext | 'all', upFront: boolean): Promise<SearchScope> {
  const { acl } = await resolveRequest(c);
  const candidates = namespace === '*' ? (await listNamespaces()).map((entry) => entry.Name) : [namespace];
  const scope: SearchScope = {
    jobNamespaces: candidates.filter((name) => acl.allowNamespace(name, 'read-job')),
    nodes: acl.allowNode('read'),
    namespaceVisible: (name) => acl.allowNamespaceAny(name),
  };
  if (upFront && context !== 'all') {
    if (JOB_CONTEXTS.has(context) && scope.jobNamespaces.length === 0) throw permissionDenied();
    if ((context === 'nodes' || context === 'node_pools') && !scope.nodes) throw permissionDenied();
  }
  return scope;
}

function answer(c: Context, result: Parameters<typeof searchResponse>[0]): Response {
  setQueryMeta(c, result.index);
  return nomadJson(c, searchResponse(result));
}

export function mountSearchRoutes(app: Hono): void {
  app.on(['PUT', 'POST'], '/v1/search', async (c) => {
    const body = await nomadBody(c, SearchBody);
    const context = searchContext(body.Context);
    const namespace = c.req.query('namespace') || body.Namespace || 'default';
    const scope = await searchScope(c, namespace, context, true);
    return answer(c, await prefixSearch(context, scope, body.Prefix ?? ''));
  });
  app.on(['PUT', 'POST'], '/v1/search/fuzzy', async (c) => {
    const body = await nomadBody(c, SearchBody);
    const context = searchContext(body.Context);
    const text = body.Text ?? '';
    if (text.length < MIN_TERM_LENGTH) throw badRequest(`fuzzy search query must be at least ${MIN_TERM_LENGTH} characters, got ${text.length}`);
    const namespace = c.req.query('namespace') || body.Namespace || 'default';
    // With `*` Nomad checks nothing up front: every object is filtered by its own namespace.
    const scope = await searchScope(c, namespace, context, namespace !== '*');
    return answer(c, await fuzzySearch(context, scope, text));
  });
  for (const path of ['/v1/search', '/v1/search/fuzzy']) {
    app.all(path, () => {
      throw methodNotAllowed();
    });
  }
}
