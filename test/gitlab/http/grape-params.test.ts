import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import * as grape from '../../../shared/gitlab/http/grape';
import { pageRequest, paginationParams } from '../../../shared/gitlab/http/pagination';
import { jobScope } from '../../../shared/gitlab/http/jobs-routes';

function check(schema: z.ZodType, raw: Record<string, unknown>): unknown {
  try {
    return { value: grape.checkParams(schema, raw) };
  } catch (error) {
    const { status, body } = error as { status: number; body: unknown };
    return { status, body };
  }
}

const refused = (error: string) => ({ status: 400, body: { error } });

describe('Grape types', () => {
  it('coerce form strings and JSON scalars as Grape does', () => {
    const schema = z.object({ name: grape.string(), count: grape.integer(z.int()), flag: grape.boolean() });
    expect(check(schema, { name: 12, count: ' 42 ', flag: 'YES' })).toEqual({ value: { name: '12', count: 42, flag: true } });
    expect(check(schema, { name: true, count: -3, flag: '' })).toEqual({ value: { name: 'true', count: -3, flag: false } });
  });

  it('take null, and an empty integer, as absent', () => {
    const schema = z.object({ name: grape.string().optional(), count: grape.integer(z.int().optional()), flag: grape.boolean().default(true) });
    expect(check(schema, { name: null, count: '', flag: null })).toEqual({ value: { flag: true } });
    expect(check(z.object({ count: grape.integer(z.int()) }), { count: '' })).toEqual(refused('count is missing'));
  });

  it('say missing, invalid and not a valid value, every fault once, in declaration order', () => {
    const schema = z.object({ ref: grape.string(), count: grape.integer(z.int().optional()), kind: grape.values(['a', 'b']), flag: grape.boolean().optional() });
    expect(check(schema, { count: '1.5', kind: 'c', flag: 'maybe' })).toEqual(refused('ref is missing, count is invalid, kind does not have a valid value, flag is invalid'));
    expect(check(schema, { ref: ['x'], kind: ['a'] })).toEqual(refused('ref is invalid, kind is invalid'));
  });

  it('take one string, a list or a hash by index as a list; a comma stays in its string', () => {
    const schema = z.object({ tags: grape.stringList() });
    expect(check(schema, { tags: 'a,b' })).toEqual({ value: { tags: ['a,b'] } });
    expect(check(schema, { tags: ['a', 'b'] })).toEqual({ value: { tags: ['a', 'b'] } });
    expect(check(schema, { tags: { 0: 'a', 1: 'b' } })).toEqual({ value: { tags: ['a', 'b'] } });
    expect(check(schema, { tags: ['a', { x: 1 }] })).toEqual(refused('tags is invalid'));
    expect(check(schema, {})).toEqual(refused('tags is missing'));
  });

  it('name the item and key of a listed hash', () => {
    const schema = z.object({ variables: grape.hashList({ key: grape.string(), value: grape.string() }) });
    expect(check(schema, { variables: [{ key: 'A', value: 1 }] })).toEqual({ value: { variables: [{ key: 'A', value: '1' }] } });
    expect(check(schema, { variables: { 0: { key: 'A', value: null }, 1: 'x', 2: { value: 'v', key: {} } } })).toEqual(
      refused('variables[0][value] is missing, variables[1] is invalid, variables[2][key] is invalid'),
    );
    expect(check(schema, { variables: 'A=1' })).toEqual(refused('variables is invalid'));
  });

  it('take path integers as digits only', () => {
    const schema = z.object({ job_id: grape.pathInteger() });
    expect(check(schema, { job_id: '42' })).toEqual({ value: { job_id: 42 } });
    for (const job_id of ['abc', '-1', '1.0', '99999999999999999999']) expect(check(schema, { job_id })).toEqual(refused('job_id is invalid'));
  });

  it('say a refinement over several params beside the faults of single ones', () => {
    const schema = z
      .object({ name: grape.string().optional(), path: grape.string().optional(), visibility: grape.values(['private', 'public']).optional() })
      .refine((project) => project.name !== undefined || project.path !== undefined, { message: 'name, path are missing, at least one parameter must be provided', ...grape.besideOtherFaults });
    expect(check(schema, { visibility: 'secret' })).toEqual(refused('visibility does not have a valid value, name, path are missing, at least one parameter must be provided'));
  });
});

describe('paging and scope', () => {
  const schema = z.object({ scope: jobScope, ...paginationParams });

  it('defaults, and clamps per_page to 100', () => {
    const parsed = grape.checkParams(schema, { per_page: '500' });
    expect(parsed).toEqual({ page: 1, per_page: 500 });
    expect(pageRequest(parsed)).toEqual({ page: 1, perPage: 100, offset: 0 });
    expect(pageRequest(grape.checkParams(schema, { page: '3', per_page: '' }))).toEqual({ page: 3, perPage: 20, offset: 40 });
  });

  it('refuses pages as GitLab does', () => {
    expect(check(schema, { per_page: '0' })).toEqual(refused('per_page has a value not allowed'));
    expect(check(schema, { per_page: '-2' })).toEqual(refused('per_page does not have a valid value'));
    expect(check(schema, { page: '0', per_page: 'x' })).toEqual(refused('page does not have a valid value, per_page is invalid'));
  });

  it('takes scope as a string or a list of known statuses', () => {
    expect(grape.checkParams(schema, { scope: '' }).scope).toBeUndefined();
    expect(grape.checkParams(schema, { scope: ['pending', 'running'] }).scope).toEqual(['pending', 'running']);
    for (const scope of ['pending,running', ['pending', 'bogus'], ['pending', { x: 'y' }]]) {
      expect(check(schema, { scope })).toEqual(refused('scope does not have a valid value'));
    }
  });
});
