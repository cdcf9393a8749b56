import { describe, expect, it } from 'vitest';
import { checkOperand, meetsConstraint, resolveTarget } from '../../../shared/nomad/scheduler/constraints';
import { versionSatisfies } from '../../../shared/nomad/scheduler/version-constraint';
import { node } from './fixtures';

const n = node('n1', {
  Datacenter: 'eu-west',
  NodeClass: 'gpu',
  Attributes: { 'kernel.name': 'linux', 'cpu.numcores': '8', 'nomad.version': '1.9.3', 'os.version': '22.04', tags: 'a,b,c' },
  Meta: { rack: 'r1' },
}).node;

const holds = (LTarget: string, Operand: string, RTarget = '') => meetsConstraint({ LTarget, Operand, RTarget }, n);

describe('constraint targets', () => {
  it('resolves node fields, attributes and meta, and reports what is missing', () => {
    expect(resolveTarget('${node.datacenter}', n)).toEqual({ value: 'eu-west', found: true });
    expect(resolveTarget('${node.unique.id}', n).value).toBe('n1');
    expect(resolveTarget('${node.class}', n).value).toBe('gpu');
    expect(resolveTarget('${node.pool}', n).value).toBe('default');
    expect(resolveTarget('${attr.kernel.name}', n).value).toBe('linux');
    expect(resolveTarget('${meta.rack}', n).value).toBe('r1');
    expect(resolveTarget('${meta.zone}', n).found).toBe(false);
    expect(resolveTarget('${foo.bar}', n).found).toBe(false);
    expect(resolveTarget('literal', n)).toEqual({ value: 'literal', found: true });
  });
});

describe('constraint operands', () => {
  it('compares for equality, with missing values never equal', () => {
    expect(holds('${attr.kernel.name}', '=', 'linux')).toBe(true);
    expect(holds('${attr.kernel.name}', '==', 'windows')).toBe(false);
    expect(holds('${attr.kernel.name}', 'is', 'linux')).toBe(true);
    expect(holds('${meta.zone}', '=', '')).toBe(false);
    expect(holds('${attr.kernel.name}', '!=', 'windows')).toBe(true);
    expect(holds('${meta.zone}', '!=', 'x')).toBe(true);
    expect(holds('${attr.kernel.name}', 'not', 'linux')).toBe(false);
  });

  it('orders as integers, then floats, then strings', () => {
    expect(holds('${attr.cpu.numcores}', '>', '4')).toBe(true);
    expect(holds('${attr.cpu.numcores}', '>=', '8')).toBe(true);
    expect(holds('${attr.cpu.numcores}', '<', '10')).toBe(true);
    expect(holds('${attr.os.version}', '<=', '22.10')).toBe(true);
    expect(holds('${node.class}', '<', 'zzz')).toBe(true);
    expect(holds('${meta.zone}', '<', '5')).toBe(false);
  });

  it('matches Go regular expressions', () => {
    expect(holds('${node.datacenter}', 'regexp', '^eu-')).toBe(true);
    expect(holds('${node.datacenter}', 'regexp', '^us-')).toBe(false);
    expect(holds('${node.datacenter}', 'regexp', '(?i)EU')).toBe(true);
  });

  it('checks sets', () => {
    expect(holds('${attr.tags}', 'set_contains', 'a,c')).toBe(true);
    expect(holds('${attr.tags}', 'set_contains', 'a,d')).toBe(false);
    expect(holds('${attr.tags}', 'set_contains_all', 'b')).toBe(true);
    expect(holds('${attr.tags}', 'set_contains_any', 'x, c')).toBe(true);
    expect(holds('${attr.tags}', 'set_contains_any', 'x,y')).toBe(false);
  });

  it('checks presence', () => {
    expect(holds('${meta.rack}', 'is_set')).toBe(true);
    expect(holds('${meta.zone}', 'is_set')).toBe(false);
    expect(holds('${meta.zone}', 'is_not_set')).toBe(true);
  });

  it('checks versions the go-version way and semver strictly', () => {
    expect(holds('${attr.nomad.version}', 'version', '>= 1.9, < 2')).toBe(true);
    expect(holds('${attr.nomad.version}', 'version', '~> 1.8')).toBe(true);
    expect(holds('${attr.nomad.version}', 'version', '~> 1.8.0')).toBe(false);
    expect(holds('${attr.nomad.version}', 'semver', '>= 1.9.0')).toBe(true);
    expect(versionSatisfies('1.2', '= 1.2.0', 'version')).toBe(true);
    expect(versionSatisfies('1.2', '= 1.2.0', 'semver')).toBe(false);
    expect(versionSatisfies('1.3.0-beta1', '< 1.3.0', 'semver')).toBe(true);
    expect(versionSatisfies('2.0.0', '!= 2.0.0', 'version')).toBe(false);
    expect(versionSatisfies('garbage', '>= 1', 'version')).toBe(false);
  });

  it('leaves distinct_* to the placement stage and rejects unknown operands', () => {
    expect(checkOperand('distinct_hosts', { value: '', found: false }, { value: '', found: false })).toBe(true);
    expect(checkOperand('bogus', { value: 'a', found: true }, { value: 'a', found: true })).toBe(false);
  });
});
