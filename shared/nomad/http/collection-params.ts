import type { Context } from 'hono';
import { resolveRequest, permissionDenied, requireNamespace } from '../acl/guard';
import type { NamespaceCapability } from '../acl/capabilities';
import { compileFilter, FilterEvaluationError, FilterSyntaxError } from '../filter';
import { uuidForm } from '../services/uuid-prefix';
import { listNamespaces } from '../store/namespaces';
import { blockingQuery } from './blocking';
import { badRequest } from '../errors';
import { perPageParam } from './params';
import { setQueryMeta } from './respond';

/**
 * Query parameters of the lists across jobs (`/v1/allocations`, `/v1/evaluations`), parsed with
 * Nomad's error texts.
 */

/** The namespaces read: the one asked for, or with `*` each the token has `capability` in (403 if none). */
export async function readableNamespaces(c: Context, namespace: string, capability: NamespaceCapability): Promise<string[]> {
  if (namespace !== '*') {
    await requireNamespace(c, namespace, capability);
    return [namespace];
  }
  const { acl } = await resolveRequest(c);
  const names = (await listNamespaces()).map((entry) => entry.Name).filter((name) => acl.allowNamespace(name, capability));
  if (names.length === 0) throw permissionDenied();
  return names;
}

/**
 * `prefix` of a UUID, checked as go-memdb's UUID index checks it: hyphens aside, hex of even
 * length. Nomad answers 500 `<kind> lookup failed: …`; it is the caller's mistake, so 400 here.
 */
export function uuidPrefixParam(c: Context, kind: 'alloc' | 'eval'): string | undefined {
  const prefix = c.req.query('prefix');
  if (!prefix) return undefined;
  const hex = prefix.replaceAll('-', '');
  if (hex.length % 2 !== 0) throw badRequest(`${kind} lookup failed: Input (without hyphens) must be even length`);
  const bad = /[^0-9a-fA-F]/.exec(hex);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw badRequest(`${kind} lookup failed: encoding/hex: invalid byte: U+${code} '${bad[0]}'`);
  }
  return uuidForm(hex);
}

/**
 * A `filter` expression as a predicate, with the error texts of where Nomad evaluates it: lists
 * run it in their paginator (400 `failed to create result paginator: …` for a syntax error,
 * `failed to read result page: …` for one while matching), counts answer go-bexpr's own text, and
 * deletes by filter skip what the expression cannot be evaluated on.
 */
export type FilterStyle = 'paginator' | 'bexpr' | 'skip-errors';

export function filterPredicate<T>(expression: string | undefined, style: FilterStyle = 'paginator'): ((item: T) => boolean) | undefined {
  if (!expression) return undefined;
  let filter: ReturnType<typeof compileFilter>;
  try {
    filter = compileFilter(expression);
  } catch (error) {
    if (!(error instanceof FilterSyntaxError)) throw error;
    throw badRequest(style === 'paginator' ? `failed to create result paginator: failed to read filter expression: ${error.message}` : error.message);
  }
  return (item: T) => {
    try {
      return filter.matches(item);
    } catch (error) {
      if (!(error instanceof FilterEvaluationError)) throw error;
      if (style === 'skip-errors') return false;
      if (style === 'bexpr') throw badRequest(error.message);
      const detail = error.message.startsWith('error ') ? error.message : `error finding value in datum: ${error.message}`;
      throw badRequest(`failed to read result page: ${detail}`);
    }
  };
}

/** The paging of a list across jobs: `per_page`, `next_token` and `reverse`. */
export function pagingParams(c: Context) {
  return { perPage: perPageParam(c), nextToken: c.req.query('next_token') || undefined, reverse: c.req.query('reverse') === 'true' };
}

/** A page read as a blocking query and answered with the query meta and `X-Nomad-NextToken`. */
export async function blockingPage<P extends { index: number; nextToken?: string }>(c: Context, read: () => Promise<P>): Promise<P> {
  const result = await blockingQuery(c, async () => {
    const page = await read();
    return { index: page.index, body: page };
  });
  setQueryMeta(c, result.index);
  if (result.body.nextToken) c.header('X-Nomad-NextToken', result.body.nextToken);
  return result.body;
}
