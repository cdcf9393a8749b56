import type { Context } from 'hono';
import * as qs from 'qs-esm';
import { paramError } from '../errors';

/**
 * Request parameters as Grape receives them: the query string, then the body (JSON, form or
 * multipart) over it, in Rack's nested notation (`scope[]=a`, `variables[0][key]=K`). They are
 * checked against an endpoint's schema in grape.ts.
 */
export type RawParams = Record<string, unknown>;

const QS_OPTIONS = { depth: 5, arrayLimit: 1000, parameterLimit: 2000, allowDots: false } as const;

export function rackQuery(c: Context): RawParams {
  const url = c.req.url;
  const question = url.indexOf('?');
  return question < 0 ? {} : (qs.parse(url.slice(question + 1), QS_OPTIONS) as RawParams);
}

async function rackBody(c: Context): Promise<RawParams> {
  const type = (c.req.header('Content-Type') ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const form = await c.req.parseBody({ all: true });
    const pairs: string[] = [];
    for (const [key, value] of Object.entries(form)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item === 'string') pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(item)}`);
      }
    }
    return qs.parse(pairs.join('&'), QS_OPTIONS) as RawParams;
  }
  const text = await c.req.text();
  if (text.trim() === '') return {};
  if (type.includes('json') || (!type.includes('x-www-form-urlencoded') && /^\s*[[{]/.test(text))) {
    try {
      const parsed = JSON.parse(text) as unknown;
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as RawParams) : {};
    } catch {
      throw paramError('The provided content-type is not supported or the request body is not valid JSON');
    }
  }
  return qs.parse(text, QS_OPTIONS) as RawParams;
}

export async function rackParams(c: Context): Promise<RawParams> {
  return { ...rackQuery(c), ...(await rackBody(c)) };
}
