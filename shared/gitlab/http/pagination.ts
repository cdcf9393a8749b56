import type { Context } from 'hono';
import * as qs from 'qs-esm';
import * as z from '../../util/zod';
import { GitLabError, paramError } from '../errors';
import { integer } from './grape';
import { rackQuery, type RawParams } from './rack-params';

/**
 * GitLab's pagination. Offset: `page` and `per_page` (20 by default, at most 100) with `X-Page`,
 * `X-Per-Page`, `X-Next-Page`, `X-Prev-Page` (empty when none), `Link` (prev, next, first, and
 * last only when counting) and `X-Total`/`X-Total-Pages` only when counting. Keyset (the project
 * jobs list): an opaque `cursor`, and a `Link rel="next"` only while more follow.
 */
export interface PageRequest {
  page: number;
  perPage: number;
  offset: number;
}

const MAX_OFFSET = 50_000;

/** `page` and `per_page`, as GitLab's `use :pagination` declares them. */
export const paginationParams = {
  page: integer(z.int().refine((page) => page >= 1, 'does not have a valid value').default(1)),
  // Ruby's Integer has no upper bound: any larger count of digits is simply clamped to 100 below.
  per_page: integer(
    z
      .preprocess((perPage) => (typeof perPage === 'number' && perPage > Number.MAX_SAFE_INTEGER ? 100 : perPage), z.int())
      .refine((perPage) => perPage !== 0, 'has a value not allowed')
      .refine((perPage) => perPage >= 0, 'does not have a valid value')
      .default(20),
  ),
};

export function pageRequest(params: { page: number; per_page: number }): PageRequest {
  const perPage = Math.min(params.per_page, 100);
  return { page: params.page, perPage, offset: (params.page - 1) * perPage };
}

/** Builds beyond this offset must be listed with keyset pagination, as in GitLab. */
export function checkBuildOffset(request: PageRequest): void {
  if (request.offset + request.perPage > MAX_OFFSET) {
    throw new GitLabError(405, {
      message: `Offset pagination has a maximum allowed offset of ${MAX_OFFSET} for requests that return objects of type Ci::Build. Remaining records can be retrieved using keyset pagination.`,
    });
  }
}

function linkTo(c: Context, query: RawParams, changes: Record<string, string | number | undefined>, drop: string[] = []): string {
  const url = new URL(c.req.url);
  const params: Record<string, unknown> = { ...query };
  for (const name of drop) delete params[name];
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete params[name];
    else params[name] = String(value);
  }
  const search = qs.stringify(params, { arrayFormat: 'brackets', sort: (a: string, b: string) => a.localeCompare(b) });
  return `${url.origin}${url.pathname}${search ? `?${search}` : ''}`;
}

/** Offset headers; `total` undefined for GitLab's "without count" lists. */
export function setOffsetHeaders(c: Context, request: PageRequest, options: { hasMore: boolean; total?: number }): void {
  const { page, perPage } = request;
  const totalPages = options.total === undefined ? undefined : Math.max(1, Math.ceil(options.total / perPage));
  const next = options.total === undefined ? (options.hasMore ? page + 1 : undefined) : page < totalPages! ? page + 1 : undefined;
  const prev = page > 1 ? page - 1 : undefined;
  c.header('X-Page', String(page));
  c.header('X-Per-Page', String(perPage));
  c.header('X-Next-Page', next === undefined ? '' : String(next));
  c.header('X-Prev-Page', prev === undefined ? '' : String(prev));
  const query = rackQuery(c);
  const links: string[] = [];
  if (prev !== undefined) links.push(`<${linkTo(c, query, { page: prev, per_page: perPage })}>; rel="prev"`);
  if (next !== undefined) links.push(`<${linkTo(c, query, { page: next, per_page: perPage })}>; rel="next"`);
  links.push(`<${linkTo(c, query, { page: 1, per_page: perPage })}>; rel="first"`);
  if (totalPages !== undefined) {
    links.push(`<${linkTo(c, query, { page: totalPages, per_page: perPage })}>; rel="last"`);
    c.header('X-Total', String(options.total));
    c.header('X-Total-Pages', String(totalPages));
  }
  c.header('Link', links.join(', '));
}

/** Keyset cursors carry the last id seen (GitLab's shape: base64 JSON `{"id":"…","_kd":"n"}`). */
function encodeCursor(lastId: number): string {
  return Buffer.from(JSON.stringify({ id: String(lastId), _kd: 'n' })).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: string };
    const id = Number(parsed.id);
    if (Number.isSafeInteger(id) && id > 0) return id;
  } catch {
    // fall through
  }
  throw paramError('cursor is invalid');
}

export function setKeysetLink(c: Context, perPage: number, lastId: number | undefined): void {
  if (lastId === undefined) return;
  c.header('Link', `<${linkTo(c, rackQuery(c), { cursor: encodeCursor(lastId), pagination: 'keyset', per_page: perPage }, ['page'])}>; rel="next"`);
}

/** GitLab's limit on offset paging of types that also page by keyset (`Project`, `Ci::Build`…). */
export function checkOffsetLimit(request: PageRequest, type: string): void {
  if (request.page * request.perPage > MAX_OFFSET) {
    throw new GitLabError(405, {
      message: `Offset pagination has a maximum allowed offset of ${MAX_OFFSET} for requests that return objects of type ${type}. Remaining records can be retrieved using keyset pagination.`,
    });
  }
}

/**
 * Keyset paging by id (`Gitlab::Pagination::Keyset`): a `next` link with every request param and the next-page filter, `id_after=` or `id_before=`;
 * also Gitaly's keyset paging of branches, tags and trees (`page_token=`).
 */
export function setIdKeysetLink(c: Context, filter: Record<string, number | string>): void {
  c.header('Link', `<${linkTo(c, rackQuery(c), filter)}>; rel="next"`);
}
