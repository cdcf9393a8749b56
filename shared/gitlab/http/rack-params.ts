import type { Context } from 'hono';
import * as qs from 'qs-esm';
import { paramError } from '../errors';

/**
 * Request parameters as Grape sees them: the query string, then the body (JSON, form or multipart)
 * over it, in Rack's nested notation (`scope[]=a`, `variables[0][key]=K`). `GrapeParams` checks
 * them with Grape's messages (`ref is missing`, `job_id is invalid`), all errors in one answer.
 */
export type RawParams = Record<string, unknown>;

const QS_OPTIONS = { depth: 5, arrayLimit: 1000, parameterLimit: 2000, allowDots: false } as const;

export function queryParams(c: Context): RawParams {
  const url = c.req.url;
  const question = url.indexOf('?');
  return question < 0 ? {} : (qs.parse(url.slice(question + 1), QS_OPTIONS) as RawParams);
}

export async function bodyParams(c: Context): Promise<RawParams> {
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

export async function allParams(c: Context): Promise<RawParams> {
  return { ...queryParams(c), ...(await bodyParams(c)) };
}

const TRUE = new Set(['true', '1', 't', 'yes', 'y', 'on']);
const FALSE = new Set(['false', '0', 'f', 'no', 'n', 'off', '']);

export class GrapeParams {
  readonly errors: string[] = [];

  constructor(readonly raw: RawParams) {}

  private value(name: string): unknown {
    return this.raw[name];
  }

  private missing(name: string): undefined {
    this.errors.push(`${name} is missing`);
    return undefined;
  }

  private invalid(name: string): undefined {
    this.errors.push(`${name} is invalid`);
    return undefined;
  }

  string(name: string, options: { required: true }): string;
  string(name: string, options?: { required?: boolean }): string | undefined;
  string(name: string, options: { required?: boolean } = {}): string | undefined {
    const value = this.value(name);
    if (value === undefined || value === null) return options.required ? (this.missing(name) as never) : undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return this.invalid(name);
  }

  integer(name: string, options: { required?: boolean } = {}): number | undefined {
    const value = this.value(name);
    if (value === undefined || value === null || value === '') return options.required ? this.missing(name) : undefined;
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
    return this.invalid(name);
  }

  boolean(name: string): boolean | undefined {
    const value = this.value(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    const text = String(value).toLowerCase();
    if (TRUE.has(text)) return true;
    if (FALSE.has(text)) return false;
    return this.invalid(name);
  }

  /** A value among `values`: `<name> does not have a valid value` otherwise. */
  oneOf<T extends string>(name: string, values: readonly T[], options: { required?: boolean } = {}): T | undefined {
    const value = this.string(name, options);
    if (value === undefined) return undefined;
    if (!values.includes(value as T)) {
      this.errors.push(`${name} does not have a valid value`);
      return undefined;
    }
    return value as T;
  }

  /** A string or a list of strings (`a,b` stays one string, as Grape's Array[String] coercion does). */
  stringArray(name: string): string[] | undefined {
    const value = this.value(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
    if (typeof value === 'object' && !Array.isArray(value)) {
      const values = Object.values(value as Record<string, unknown>);
      if (values.every((item) => typeof item === 'string')) return values as string[];
    }
    return this.invalid(name);
  }

  /** An array of hashes with required string keys (`variables`, `job_variables_attributes`). */
  hashArray(name: string, keys: { required: string[]; optional?: string[] }): Record<string, string>[] | undefined {
    const value = this.value(name);
    if (value === undefined || value === null) return undefined;
    const list = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value as object) : undefined;
    if (!list) return this.invalid(name);
    const result: Record<string, string>[] = [];
    list.forEach((entry, index) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        this.errors.push(`${name}[${index}] is invalid`);
        return;
      }
      const item: Record<string, string> = {};
      for (const key of [...keys.required, ...(keys.optional ?? [])]) {
        const field = (entry as Record<string, unknown>)[key];
        if (field === undefined || field === null) {
          if (keys.required.includes(key)) this.errors.push(`${name}[${index}][${key}] is missing`);
        } else if (typeof field === 'string' || typeof field === 'number' || typeof field === 'boolean') {
          item[key] = String(field);
        } else {
          this.errors.push(`${name}[${index}][${key}] is invalid`);
        }
      }
      result.push(item);
    });
    return result;
  }

  /** Throws Grape's 400 with every error found so far. */
  check(): void {
    if (this.errors.length > 0) throw paramError(this.errors.join(', '));
  }
}

/** A path parameter declared `Integer`: `<name> is invalid` otherwise. */
export function pathInteger(c: Context, name: string): number {
  const value = c.req.param(name) ?? '';
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw paramError(`${name} is invalid`);
  return Number(value);
}
