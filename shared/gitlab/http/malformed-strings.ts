import type { Context, MiddlewareHandler } from 'hono';
import { requestTargetPath } from './request-target';

/**
 * GitLab's `HandleMalformedStrings` middleware: a request whose path or params hold a NUL byte or
 * text that is not UTF-8 (here: an undecodable `%`-escape, or a lone surrogate from a JSON `\u`
 * escape) is answered `400 Bad Request`, as plain text, before any endpoint runs. Params are the
 * query and a JSON or form body, looked at two levels deep as GitLab does; multipart bodies (artifact
 * uploads) are left to their endpoint.
 */
const MAX_DEPTH = 2;

function isMalformedText(text: string): boolean {
  return text.includes('\0') || /\p{Cs}/u.test(text);
}

function decodes(component: string): string | undefined {
  try {
    return decodeURIComponent(component.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** A `k=v&…` string (query or form body) with an undecodable escape, NUL or lone surrogate. */
function isMalformedForm(form: string): boolean {
  return form.split(/[&;]/).some((pair) => pair.split('=').some((part) => {
    const decoded = decodes(part);
    return decoded === undefined || isMalformedText(decoded);
  }));
}

function hasMalformedValue(value: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (typeof value === 'string') return isMalformedText(value);
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some((item) => hasMalformedValue(item, depth + 1));
}

async function isMalformedBody(c: Context): Promise<boolean> {
  const type = (c.req.header('Content-Type') ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) return isMalformedForm(await c.req.text());
  if (!type.startsWith('application/json')) return false;
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    // The endpoint answers an unreadable body in its own words.
    return false;
  }
  return typeof body === 'object' && body !== null && Object.values(body).some((value) => hasMalformedValue(value));
}

async function isMalformed(c: Context): Promise<boolean> {
  const path = decodes(requestTargetPath(c).replaceAll('+', '%2B'));
  if (path === undefined || isMalformedText(path)) return true;
  const url = c.req.url;
  const query = url.indexOf('?');
  if (query >= 0 && isMalformedForm(url.slice(query + 1))) return true;
  return c.req.method !== 'GET' && c.req.method !== 'HEAD' && isMalformedBody(c);
}

export const rejectMalformedStrings: MiddlewareHandler = async (c, next) => {
  if (await isMalformed(c)) return c.text('Bad Request', 400);
  await next();
};
