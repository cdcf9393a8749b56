import { RE2JS } from 're2js';
import type { FilterExpression, MatchOperator, Selector } from './parse';

/**
 * Evaluates a parsed go-bexpr expression against one JSON object, the way go-bexpr walks a Go
 * value with pointerstructure: struct fields must exist (a typo is an error, not a miss), a
 * missing map key makes the match take its "not present" answer, values in the expression are
 * coerced to the type of the field, and `matches` is a Go (RE2) regular expression.
 *
 * JSON does not say which objects were Go maps and which structs, nor what a null was: the
 * field names below that are maps or slices in Nomad's structs say it. Pure.
 */
export class FilterEvaluationError extends Error {}

const MAP_FIELDS = new Set([
  'Meta', 'Env', 'Config', 'Volumes', 'Summary', 'Attributes', 'Drivers', 'Links', 'NodesAvailable', 'ClassFiltered',
  'ConstraintFiltered', 'DimensionExhausted', 'ClassExhausted', 'Scores', 'QueuedAllocations', 'FailedTGAllocs',
  'ClassEligibility', 'TaskStates', 'Options', 'Headers', 'Policy', 'HostVolumes', 'CSIVolumes', 'Target', 'Header',
]);

const SLICE_FIELDS = new Set([
  'Datacenters', 'Constraints', 'Affinities', 'Spreads', 'TaskGroups', 'Tasks', 'Services', 'Checks', 'Tags', 'CanaryTags',
  'Networks', 'ReservedPorts', 'DynamicPorts', 'Devices', 'Artifacts', 'Templates', 'Actions', 'Args', 'MetaRequired',
  'MetaOptional', 'Specs', 'VolumeMounts', 'ScalingPolicies', 'Identities', 'PlacedCanaries', 'Events', 'SpreadTarget',
  'Payload', 'PreemptedAllocations',
]);

const NOT_PRESENT: Record<MatchOperator, boolean> = {
  '==': false,
  '!=': true,
  in: false,
  'not in': true,
  'is empty': true,
  'is not empty': false,
  matches: false,
  'not matches': true,
};

type Kind = 'map' | 'struct' | 'slice' | 'string' | 'int' | 'float' | 'bool' | 'invalid';

interface Located {
  value: unknown;
  kind: Kind;
}

function kindOf(value: unknown, field: string | undefined, inMap: boolean): Kind {
  if (value === null || value === undefined) {
    if (field && MAP_FIELDS.has(field) && !inMap) return 'map';
    if (field && SLICE_FIELDS.has(field) && !inMap) return 'slice';
    return 'invalid';
  }
  if (Array.isArray(value)) return 'slice';
  if (typeof value === 'object') return field && MAP_FIELDS.has(field) && !inMap ? 'map' : 'struct';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  return Number.isInteger(value) ? 'int' : 'float';
}

function pointerText(path: string[]): string {
  return `/${path.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

class NotFound extends Error {}

function locate(datum: unknown, path: string[]): Located {
  let current: Located = { value: datum, kind: 'struct' };
  const pointer = pointerText(path);
  path.forEach((part, i) => {
    const { value, kind } = current;
    if (kind === 'map') {
      const entries = (value ?? {}) as Record<string, unknown>;
      if (!Object.prototype.hasOwnProperty.call(entries, part)) throw new NotFound(`${pointer} at part ${i}: couldn't find key ${JSON.stringify(part)}`);
      current = { value: entries[part], kind: kindOf(entries[part], undefined, true) };
    } else if (kind === 'struct') {
      const fields = value as Record<string, unknown>;
      if (!Object.prototype.hasOwnProperty.call(fields, part)) {
        throw new FilterEvaluationError(`${pointer} at part ${i}: couldn't find struct field with name ${JSON.stringify(part)}`);
      }
      current = { value: fields[part], kind: kindOf(fields[part], part, false) };
    } else if (kind === 'slice') {
      const items = (value ?? []) as unknown[];
      if (!/^-?\d+$/.test(part)) throw new FilterEvaluationError(`${pointer} at part ${i}: strconv.ParseInt: parsing ${JSON.stringify(part)}: invalid syntax`);
      const index = Number(part);
      if (index < 0 || index >= items.length) {
        throw new FilterEvaluationError(`${pointer} at part ${i}: index ${index} is out of range (length = ${items.length})`);
      }
      current = { value: items[index], kind: kindOf(items[index], undefined, true) };
    } else {
      throw new FilterEvaluationError(`${pointer}: at part ${i}, invalid value kind: ${kind}`);
    }
  });
  return current;
}

const BOOL_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const BOOL_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** The expression's raw value as the field's Go type (go-bexpr's coerce functions). */
function coerce(raw: string, kind: Kind): unknown {
  if (kind === 'bool') {
    if (BOOL_TRUE.has(raw)) return true;
    if (BOOL_FALSE.has(raw)) return false;
    throw new FilterEvaluationError(`error getting match value in expression: strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  if (kind === 'int') {
    if (!/^[-+]?\d+$/.test(raw)) throw new FilterEvaluationError(`error getting match value in expression: strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
    return Number(raw);
  }
  if (kind === 'float') {
    const number = Number(raw);
    if (raw.trim() === '' || Number.isNaN(number)) {
      throw new FilterEvaluationError(`error getting match value in expression: strconv.ParseFloat: parsing ${JSON.stringify(raw)}: invalid syntax`);
    }
    return number;
  }
  return raw;
}

function equal(raw: string, located: Located): boolean {
  if (!['bool', 'int', 'float', 'string'].includes(located.kind)) {
    throw new FilterEvaluationError('unable to find suitable primitive comparison function for matching');
  }
  const target = coerce(raw, located.kind === 'int' && !/^[-+]?\d+$/.test(raw) && /^[-+]?\d*\.\d+$/.test(raw) ? 'float' : located.kind);
  return target === located.value;
}

function contains(raw: string, located: Located, selector: Selector): boolean {
  const { value, kind } = located;
  if (kind === 'map') return Object.prototype.hasOwnProperty.call(value ?? {}, raw);
  if (kind === 'slice') {
    return ((value ?? []) as unknown[]).some((item) => {
      const itemKind = kindOf(item, undefined, true);
      if (itemKind === 'struct' || itemKind === 'map' || itemKind === 'slice' || itemKind === 'invalid') return false;
      try {
        return coerce(raw, itemKind) === item;
      } catch {
        return false;
      }
    });
  }
  if (kind === 'string') return (value as string).includes(raw);
  throw new FilterEvaluationError(`Cannot perform in/contains operations on type ${kind} for selector: ${JSON.stringify(selector.path.join('.'))}`);
}

function isEmpty(located: Located): boolean {
  const { value, kind } = located;
  if (kind === 'map') return Object.keys(value ?? {}).length === 0;
  if (kind === 'slice') return ((value ?? []) as unknown[]).length === 0;
  if (kind === 'string') return (value as string).length === 0;
  throw new FilterEvaluationError(`Cannot perform is empty on type ${kind}`);
}

export class CompiledFilter {
  private readonly patterns = new Map<string, RE2JS>();

  constructor(private readonly expression: FilterExpression) {}

  matches(datum: unknown): boolean {
    return this.evaluate(this.expression, datum);
  }

  private evaluate(node: FilterExpression, datum: unknown): boolean {
    switch (node.type) {
      case 'and':
        return this.evaluate(node.left, datum) && this.evaluate(node.right, datum);
      case 'or':
        return this.evaluate(node.left, datum) || this.evaluate(node.right, datum);
      case 'not':
        return !this.evaluate(node.operand, datum);
      default:
        return this.match(node.selector, node.operator, node.value, datum);
    }
  }

  private regexp(source: string): RE2JS {
    let compiled = this.patterns.get(source);
    if (!compiled) {
      try {
        compiled = RE2JS.compile(source);
      } catch (error) {
        throw new FilterEvaluationError(`Failed to compile regular expression ${JSON.stringify(source)}: ${(error as Error).message}`);
      }
      this.patterns.set(source, compiled);
    }
    return compiled;
  }

  private match(selector: Selector, operator: MatchOperator, raw: string | undefined, datum: unknown): boolean {
    let located: Located;
    if (selector.kind === 'inline') {
      located = { value: selector.raw, kind: 'string' };
    } else {
      try {
        located = locate(datum, selector.path);
      } catch (error) {
        if (error instanceof NotFound) return NOT_PRESENT[operator];
        throw error;
      }
    }
    const value = raw ?? '';
    switch (operator) {
      case '==':
        return equal(value, located);
      case '!=':
        return !equal(value, located);
      case 'in':
        return contains(value, located, selector);
      case 'not in':
        return !contains(value, located, selector);
      case 'is empty':
        return isEmpty(located);
      case 'is not empty':
        return !isEmpty(located);
      case 'matches':
      case 'not matches': {
        if (located.kind !== 'string') throw new FilterEvaluationError(`Value of type ${located.kind} is not convertible to []byte`);
        const found = this.regexp(value).matcher(located.value as string).find();
        return operator === 'matches' ? found : !found;
      }
    }
  }
}
