import { describe, expect, it } from 'vitest';
import { compileFilter, FilterEvaluationError, FilterSyntaxError } from '../../../shared/nomad/filter';

const job = {
  ID: 'web-1',
  Type: 'service',
  Priority: 50,
  Stop: false,
  Datacenters: ['dc1', 'dc2'],
  Meta: { owner: 'ops', 'a-b': 'x' },
  Constraints: null,
  Periodic: null,
  TaskGroups: [{ Name: 'app', Count: 3, Meta: null }],
};

const matches = (expression: string, datum: unknown = job) => compileFilter(expression).matches(datum);

describe('go-bexpr filter', () => {
  it('compares selectors with coerced values', () => {
    expect(matches('Type == "service"')).toBe(true);
    expect(matches('Priority == 50')).toBe(true);
    expect(matches('Priority != 50')).toBe(false);
    expect(matches('Stop == false')).toBe(true);
    expect(matches('Stop == `true`')).toBe(false);
    expect(matches('TaskGroups.0.Count == 3')).toBe(true);
    expect(matches('Meta["a-b"] == "x"')).toBe(true);
    expect(matches('"/Meta/owner" == "ops"')).toBe(true);
  });

  it('supports in, contains, empty and matches', () => {
    expect(matches('"dc2" in Datacenters')).toBe(true);
    expect(matches('"dc3" not in Datacenters')).toBe(true);
    expect(matches('Datacenters contains "dc1"')).toBe(true);
    expect(matches('Datacenters not contains "dc1"')).toBe(false);
    expect(matches('"web" in ID')).toBe(true);
    expect(matches('"owner" in Meta')).toBe(true);
    expect(matches('Constraints is empty')).toBe(true);
    expect(matches('Datacenters is not empty')).toBe(true);
    expect(matches('ID matches "^web-\\\\d$"')).toBe(true);
    expect(matches('ID not matches "^db"')).toBe(true);
  });

  it('combines with not, and, or and parentheses in go-bexpr precedence', () => {
    expect(matches('Type == "batch" or Priority == 50 and Stop == false')).toBe(true);
    expect(matches('(Type == "batch" or Priority == 50) and Stop == true')).toBe(false);
    expect(matches('not Type == "batch"')).toBe(true);
    expect(matches('not not Type == "service"')).toBe(true);
  });

  it('gives a missing map key the operator’s not-present answer', () => {
    expect(matches('Meta.team == "x"')).toBe(false);
    expect(matches('Meta.team != "x"')).toBe(true);
    expect(matches('Meta.team is empty')).toBe(true);
    expect(matches('TaskGroups.0.Meta.team == "x"')).toBe(false);
  });

  it('fails on unknown struct fields, nil structs and values of the wrong type', () => {
    expect(() => matches('NoSuchField == 1')).toThrow('/NoSuchField at part 0: couldn\'t find struct field with name "NoSuchField"');
    expect(() => matches('Periodic.Spec == "x"')).toThrow('/Periodic/Spec: at part 1, invalid value kind: invalid');
    expect(() => matches('TaskGroups.5.Name == "x"')).toThrow('index 5 is out of range (length = 1)');
    expect(() => matches('Priority == "high"')).toThrow(FilterEvaluationError);
    expect(() => matches('Stop == maybe')).toThrow('strconv.ParseBool: parsing "maybe": invalid syntax');
  });

  it('reports syntax errors with their position', () => {
    expect(() => compileFilter('Type = "x"')).toThrow(FilterSyntaxError);
    expect(() => compileFilter('(Type == "x"')).toThrow('1:13 (12): Unmatched parentheses');
    expect(() => compileFilter('Type == "x')).toThrow(/Unterminated string literal/);
    expect(() => compileFilter('Type == "x" and')).toThrow(/^1:16 \(15\): no match found, expected: /);
  });
});
