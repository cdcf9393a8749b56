import type { Context } from 'hono';
import * as qs from 'qs-esm';
import { GitLabError, paramError } from '../errors';
import { queryParams } from './params';

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

export const MAX_OFFSET = 50_000;

export function pageRequest(c: Context): PageRequest {
  const query = queryParams(c);
  const errors: string[] = [];
  const read = (name: string, fallback: number): number => {
    const value = query[name];
    if (value === undefined || value === '') return fallback;
    if (typeof value !== 'string' || !/^-?\d+$/.test(value)) {
      errors.push(`${name} is invalid`);
      return fallback;
    }
    return Number(value);
  };
  const page = read('page', 1);
  let perPage = read('per_page', 20);
  if (page < 1) errors.push('page does not have a valid value');
  if (perPage === 0) errors.push('per_page has a value not allowed');
  else if (perPage < 0) errors.push('per_page does not have a valid value');
  if (errors.length > 0) throw paramError(errors.join(', '));
  perPage = Math.min(perPage, 100);
  return { page, perPage, offset: (page - 1) * perPage };
}

/** Builds beyond this offset must be listed with keyset pagination, as in GitLab. */
export function checkBuildOffset(request: PageRequest): void {
  if (request.offset + request.perPage > MAX_OFFSET) {
    throw new GitLabError(405, {
      message: `Offset pagination has a maximum allowed offset of ${MAX_OFFSET} for requests that return objects of type Ci::Build. Remaining records can be retrieved using keyset pagination.`,
    });
  }
}

function linkTo(c: Context, changes: Record<string, string | number | undefined>, drop: string[] = []): string {
  const url = new URL(c.req.url);
  const params: Record<string, unknown> = { ...queryParams(c) };
  for (const name of drop) delete params[name];
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete params[name];
    else params[name] = String(value);
  }
  const query = qs.stringify(params, { arrayFormat: 'brackets', sort: (a: string, b: string) => a.localeCompare(b) });
  return `${url.origin}${url.pathname}${query ? `?${query}` : ''}`;
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
  const links: string[] = [];
  if (prev !== undefined) links.push(`<${linkTo(c, { page: prev, per_page: perPage })}>; rel="prev"`);
  if (next !== undefined) links.push(`<${linkTo(c, { page: next, per_page: perPage })}>; rel="next"`);
  links.push(`<${linkTo(c, { page: 1, per_page: perPage })}>; rel="first"`);
  if (totalPages !== undefined) {
    links.push(`<${linkTo(c, { page: totalPages, per_page: perPage })}>; rel="last"`);
    c.header('X-Total', String(options.total));
    c.header('X-Total-Pages', String(totalPages));
  }
  c.header('Link', links.join(', '));
}

/** Keyset cursors carry the last id seen (GitLab's shape: base64 JSON `{"id":"…","_kd":"n"}`). */
export function encodeCursor(lastId: number): string {
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
  c.header('Link', `<${linkTo(c, { cursor: encodeCursor(lastId), pagination: 'keyset', per_page: perPage }, ['page'])}>; rel="next"`);
}
