import * as z from '../../util/zod';
import { paramError } from '../errors';

/**
 * Grape's parameter types as zod schemas, and Grape's error messages. An endpoint declares its
 * params in one `z.object` as GitLab does in a `params do … end` block (`requires` is a plain
 * field, `optional` is `.optional()`); `checkParams` answers a 400 `{"error": …}` naming every
 * fault, joined as Grape joins them: `ref is missing, variables[0][key] is missing`.
 *
 * The types take what reaches Grape from a form as well as from JSON: `"12"` is an Integer,
 * `"false"` a Boolean, a JSON number a String. A `null` param (or key of a listed hash) is absent.
 */

function toText(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** Grape's `String` (numbers and booleans sent as JSON are taken as their text). */
export const string = () => z.preprocess(toText, z.string());

/**
 * A String with Grape's `length: { max: }` check: `<name> is expected to have length less than or
 * equal to <max>`. Used where GitLab leaves a string unbounded but a stored item cannot be.
 */
export const boundedString = (max: number) => string().pipe(z.string().max(max));

/** Grape's `values:` check on a String: `<name> does not have a valid value`. */
export const values = <const T extends readonly [string, ...string[]]>(allowed: T) => string().pipe(z.enum(allowed)).meta({ enum: [...allowed] });

function toInteger(value: unknown): unknown {
  if (value === '') return undefined;
  return typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
}

/**
 * Grape's `Integer`: integers, and strings of digits, then checked by `schema` (`z.int()`). An
 * empty string is no value, so optional and defaulted integers say so in `schema`
 * (`integer(z.int().optional())`): an outer `.optional()` would not see the empty string as absent.
 */
export const integer = <T extends z.ZodType>(schema: T) => z.preprocess(toInteger, schema);

const TRUE = new Set(['true', '1', 't', 'yes', 'y', 'on']);
const FALSE = new Set(['false', '0', 'f', 'no', 'n', 'off', '']);

function toBoolean(value: unknown): unknown {
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  const text = String(value).toLowerCase();
  return TRUE.has(text) ? true : FALSE.has(text) ? false : value;
}

/** Grape's `Boolean`: `true`, `"true"`, `"1"`, `"yes"`… and their opposites. */
export const boolean = () => z.preprocess(toBoolean, z.boolean());

/** A list sent as a hash by index (`name[0]=…` beyond what the query parser makes a list) is a list. */
function toList(value: unknown): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.values(value) : value;
}

/** One string is a list of one. */
function toStringList(value: unknown): unknown {
  return typeof value === 'string' ? [value] : toList(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Grape's `Array[String]`: `scope=a`, `scope[]=a&scope[]=b` or `scope[0]=a`. `a,b` stays one
 * string, as in Grape. A fault anywhere in the list is the list's (`scope is invalid`), so the
 * check is one `custom` over the whole list rather than a `z.array`, whose faults name the item;
 * its `meta` is how the OpenAPI documents describe it.
 */
export const stringList = () => z.preprocess(toStringList, z.custom<string[]>(isStringList, 'is invalid').meta({ type: 'array', items: { type: 'string' } }));

/** A list of strings each among `allowed`; anything else is `<name> does not have a valid value`. */
export const valueList = <T extends string>(allowed: readonly T[]) =>
  z.preprocess(
    toStringList,
    z
      .custom<T[]>((value) => isStringList(value) && value.every((item) => (allowed as readonly string[]).includes(item)), 'does not have a valid value')
      .meta({ type: 'array', items: { type: 'string', enum: [...allowed] } }),
  );

function toHashList(value: unknown): unknown {
  const list = toList(value);
  return Array.isArray(list) ? list.map(withoutNulls) : list;
}

/**
 * Grape's `Array[Hash]` with declared keys (`variables`, `job_variables_attributes`): faults name
 * the item and key, `variables[0][key] is missing`.
 */
export const hashList = <T extends z.core.$ZodLooseShape>(shape: T) => z.preprocess(toHashList, z.array(z.object(shape)));

/** A path segment declared `Integer` (`/jobs/:job_id`): digits only. */
export const pathInteger = () =>
  z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER));

/** A hash without its `null` keys (only params and listed hashes: a free-form hash such as a runner's `info` is kept as sent). */
function withoutNulls(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null));
}

/**
 * For a refinement over several params (`at_least_one_of`, a param required by another's value):
 * Grape says it beside the faults of single params, so it runs even when some of those are at fault.
 */
export const besideOtherFaults = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null };

function grapeName(path: readonly PropertyKey[]): string {
  const [first, ...rest] = path;
  return `${String(first)}${rest.map((key) => `[${String(key)}]`).join('')}`;
}

/**
 * An issue in Grape's words: an absent value `is missing`, one outside `values:` `does not have a
 * valid value`, any other `is invalid`. A `custom` issue (a refinement) carries Grape's phrase
 * as its message; one about no param in particular (an empty path) is the whole message.
 */
function grapeMessage(issue: z.core.$ZodIssue): string {
  if (issue.path.length === 0) return issue.message;
  const name = grapeName(issue.path);
  if (issue.input === undefined) return `${name} is missing`;
  if (issue.code === 'invalid_value') return `${name} does not have a valid value`;
  if (issue.code === 'too_big' && issue.origin === 'string') return `${name} is expected to have length less than or equal to ${issue.maximum}`;
  if (issue.code === 'custom') return `${name} ${issue.message}`;
  return `${name} is invalid`;
}

/** Grape's joined message: every fault once, in the order the params are declared. */
function grapeErrors(issues: readonly z.core.$ZodIssue[]): string {
  return [...new Set(issues.map(grapeMessage))].join(', ');
}

/** `raw` checked against `schema`, or Grape's 400 with every fault. */
export function checkParams<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(withoutNulls(raw), { reportInput: true });
  if (!parsed.success) throw paramError(grapeErrors(parsed.error.issues));
  return parsed.data;
}
