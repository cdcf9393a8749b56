import { ConfigError } from './errors';

/**
 * `spec:inputs` headers and `$[[ inputs.name | function ]]` interpolation (GitLab's
 * `Interpolation::Interpolator`): the inputs a file declares, typed and defaulted, checked against
 * the values given, then substituted into the content's keys and values. A block that is a whole
 * YAML value keeps the input's type; inside a longer string it becomes text. Errors are GitLab's.
 */
const BLOCK = /\$\[\[\s*(\S.*?\S)\s*\]\]/;
const BLOCK_PREFIX = '$[[';
const MAX_BLOCKS = 10_000;
const MAX_FUNCTIONS = 3;
type YamlMap = Record<string, unknown>;

/** A plain hash; `!reference` tags (objects keyed by a symbol) are left as they are. */
function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getOwnPropertySymbols(value).length === 0;
}

const TYPES = ['string', 'number', 'boolean', 'array'] as const;
type InputType = (typeof TYPES)[number];

function typeName(type: InputType): string {
  return type;
}

function hasType(type: InputType, value: unknown): boolean {
  if (value === null || value === undefined) return type === 'string';
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
  }
}

/** The header's `inputs` with the given values applied: name → value. */
export function resolveInputs(spec: unknown, args: Record<string, unknown>): Record<string, unknown> {
  const specs = spec === null || spec === undefined ? {} : spec;
  if (!isMap(specs)) throw new ConfigError(['header:spec:inputs config must be a hash']);
  const unknown = Object.keys(args).filter((name) => !(name in specs));
  if (unknown.length > 0) throw new ConfigError([`unknown input arguments: ${unknown.join(', ')}`]);
  const errors: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(specs)) {
    const input: YamlMap = raw === null || raw === undefined ? {} : isMap(raw) ? raw : {};
    if (!isMap(raw) && raw !== null && raw !== undefined) {
      errors.push(`unknown input specification for \`${name}\` (valid types: ${TYPES.join(', ')})`);
      continue;
    }
    const type = (input.type ?? 'string') as InputType;
    if (!TYPES.includes(type)) {
      errors.push(`unknown input specification for \`${name}\` (valid types: ${TYPES.join(', ')})`);
      continue;
    }
    const error = (message: string) => errors.push(`\`${name}\` input: ${message}`);
    const given = args[name];
    const required = !('default' in input);
    if (required && given === undefined) {
      error('required value has not been provided');
      continue;
    }
    if (!required && !hasType(type, input.default)) {
      error(`default value is not a ${typeName(type)}`);
      continue;
    }
    const value = given === undefined ? input.default : given;
    if (!hasType(type, value)) {
      error(`provided value is not a ${typeName(type)}`);
      continue;
    }
    const options = input.options;
    const allowed = (item: unknown) => !Array.isArray(options) || options.some((option) => option === item);
    if (Array.isArray(value) ? !value.every(allowed) : !allowed(value)) {
      error(`\`${String(value)}\` cannot be used because it is not in the list of allowed options`);
      continue;
    }
    if (type === 'string' && typeof input.regex === 'string') {
      let pattern: RegExp;
      try {
        pattern = new RegExp(input.regex.replace(/^\/(.*)\/$/s, '$1'));
      } catch {
        error('invalid regular expression');
        continue;
      }
      if (!pattern.test(String(value ?? ''))) {
        error(given === undefined ? 'default value does not match required RegEx pattern' : 'provided value does not match required RegEx pattern');
        continue;
      }
    }
    values[name] = value ?? '';
  }
  if (errors.length > 0) throw new ConfigError(errors.slice(0, 3));
  return values;
}

function applyFunction(call: string, value: unknown): unknown {
  const truncate = /^truncate\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(call);
  if (truncate && typeof value === 'string') return value.substr(Number(truncate[1]), Number(truncate[2]));
  if (call === 'posix_escape' && typeof value === 'string') return value.replace(/([^A-Za-z0-9_\-.,:+/@\n])/g, '\\$1').replace(/\n/g, "'\n'");
  throw new ConfigError([`no function matching \`${call}\`: check that the function name, arguments, and types are correct`]);
}

function blockValue(data: string, context: Record<string, unknown>): unknown {
  const [access, ...functions] = data.split('|').map((part) => part.trim());
  const objects = access.split('.');
  if (objects.length <= 1) throw new ConfigError(['invalid interpolation access pattern']);
  let value: unknown = context;
  for (const key of objects) {
    if (!isMap(value) || !(key in value)) throw new ConfigError([`unknown interpolation key: \`${key}\``]);
    value = value[key];
  }
  if (functions.length > MAX_FUNCTIONS) throw new ConfigError(['too many functions in interpolation block']);
  return functions.reduce<unknown>((current, call) => applyFunction(call, current), value);
}

/** Ruby's `to_s` of an input's value, which is what a block inside a longer string becomes (`["a", "b"]` for an array). */
function rubyToS(value: unknown, nested = false): string {
  if (typeof value === 'string') return nested ? JSON.stringify(value) : value;
  if (value === null || value === undefined) return nested ? 'nil' : '';
  if (Array.isArray(value)) return `[${value.map((item) => rubyToS(item, true)).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)} => ${rubyToS(item, true)}`).join(', ')}}`;
  return String(value);
}

function interpolateString(text: string, context: Record<string, unknown>, budget: { blocks: number }): unknown {
  if (!text.includes(BLOCK_PREFIX)) return text;
  const whole = new RegExp(`^${BLOCK.source}$`).exec(text);
  // `$[[ matrix.X ]]` blocks are left for the matrix expansion of `needs`.
  if (whole && !whole[1].startsWith('matrix.')) {
    if (--budget.blocks < 0) throw new ConfigError(['too many interpolation blocks']);
    return blockValue(whole[1], context);
  }
  return text.replace(new RegExp(BLOCK.source, 'g'), (block, data: string) => {
    if (data.startsWith('matrix.')) return block;
    if (--budget.blocks < 0) throw new ConfigError(['too many interpolation blocks']);
    return rubyToS(blockValue(data, context));
  });
}

function interpolate(value: unknown, context: Record<string, unknown>, budget: { blocks: number }): unknown {
  if (typeof value === 'string') return interpolateString(value, context, budget);
  if (Array.isArray(value)) return value.map((item) => interpolate(item, context, budget));
  if (isMap(value)) {
    const result: YamlMap = {};
    for (const [key, item] of Object.entries(value)) result[String(interpolateString(key, context, budget))] = interpolate(item, context, budget);
    return result;
  }
  return value;
}

/** The content with its header's inputs applied; `args` are the values the includer (or the API) gave. */
export function applyInputs(header: YamlMap | null, content: unknown, args: Record<string, unknown> | undefined): unknown {
  const given = args ?? {};
  if (!header) {
    if (Object.keys(given).length > 0) throw new ConfigError(['unknown input arguments']);
    return content;
  }
  const spec = header.spec;
  if (!isMap(spec)) throw new ConfigError(['header:spec config must be a hash']);
  const inputs = resolveInputs(spec.inputs, given);
  return interpolate(content, { inputs }, { blocks: MAX_BLOCKS });
}
