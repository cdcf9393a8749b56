import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { load as loadYaml } from 'js-yaml';

/**
 * Checks response bodies against Nomad's OpenAPI document, the way the acceptance check does.
 * Nomad marshals unset pointers as `null` while the document declares no nullable field, so nulls
 * are dropped before validating.
 *
 * The document is the team's copy beside the checkout (`../shared/contracts/`), found from any
 * clone by walking up, or named by NOMAD_OPENAPI_CONTRACT. It is not part of this repository;
 * CI has it, so there (CI set) a missing document fails the contract test instead of skipping it.
 */
function findContract(): string | undefined {
  if (process.env.NOMAD_OPENAPI_CONTRACT) return process.env.NOMAD_OPENAPI_CONTRACT;
  for (let dir = resolve(import.meta.dirname, '../..'); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'contracts', 'nomad-openapi.yaml');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export const CONTRACT = findContract();
/** Where the document must be found: in CI (any CI value but `false`, as CI services set it). */
export const CONTRACT_REQUIRED = Boolean(process.env.CI) && process.env.CI !== 'false';

let document: any;
let ajv: Ajv;
const validators = new Map<string, ValidateFunction>();

function load() {
  if (document) return;
  if (!CONTRACT) throw new Error('Nomad OpenAPI document not found: put the team copy at ../shared/contracts/nomad-openapi.yaml or name it in NOMAD_OPENAPI_CONTRACT');
  document = loadYaml(readFileSync(CONTRACT, 'utf8'));
  ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'nomad', components: { schemas: document.components.schemas } });
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== null).map(([key, inner]) => [key, withoutNulls(inner)]));
  }
  return value;
}

function rewriteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (schema && typeof schema === 'object') {
    return Object.fromEntries(Object.entries(schema).map(([key, inner]) => [key, key === '$ref' ? `nomad${inner}` : rewriteRefs(inner)]));
  }
  return schema;
}

function operation(method: string, path: string): any {
  const found = document.paths[path]?.[method.toLowerCase()];
  if (!found) throw new Error(`${method} ${path} is not in the contract`);
  return found;
}

function responseSchema(method: string, path: string): any {
  let response = operation(method, path).responses['200'];
  if (response.$ref) response = document.components.responses[response.$ref.split('/').pop()];
  return response.content?.['application/json']?.schema;
}

/** What a Go pointer marshals to: a schema naming one object (an array or a scalar is never `null` in Nomad's answers). */
function isObjectSchema(schema: any): boolean {
  if (!schema) return false;
  if (schema.$ref) return isObjectSchema(document.components.schemas[schema.$ref.split('/').pop()]);
  return schema.type === 'object' || (schema.type === undefined && schema.properties !== undefined);
}

export interface ContractResponse {
  status: number;
  text: string;
  body: unknown;
  headers: Headers;
}

/**
 * The ways an answer to `method path` (an OpenAPI path template such as `/job/{jobName}`) breaks
 * the contract; [] when it conforms.
 * - 200: the body validates against the operation's schema; `null` only where the schema is one
 *   object (a nil pointer in Nomad), and no body at all only where the operation declares none.
 * - errors: a status the operation declares (or 404, which Nomad answers for a missing object
 *   though the document lists it nowhere), with the plain-text, non-empty body the document's
 *   content-less error responses stand for — never JSON.
 */
export function contractErrors(method: string, path: string, response: ContractResponse): string[] {
  load();
  const key = `${method} ${path}`;
  if (response.status !== 200) {
    const declared = Object.keys(operation(method, path).responses);
    const errors: string[] = [];
    if (!declared.includes(String(response.status)) && response.status !== 404) errors.push(`status ${response.status} is not one of ${declared.join(', ')}`);
    if (response.text.trim() === '') errors.push('empty error body');
    if (response.body !== undefined) errors.push(`error body is JSON, Nomad's are plain text: ${response.text}`);
    if (!(response.headers.get('content-type') ?? '').startsWith('text/plain')) errors.push(`error content-type ${response.headers.get('content-type')}`);
    return errors;
  }
  const schema = responseSchema(method, path);
  if (!schema) return response.text === '' ? [] : [`${key} declares no body, got ${response.text.slice(0, 200)}`];
  if (response.body === undefined) return [`not JSON: ${response.text.slice(0, 200)}`];
  if (response.body === null) return isObjectSchema(schema) ? [] : [`null where the contract wants ${schema.type ?? 'a value'}`];
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(rewriteRefs(schema) as object);
    validators.set(key, validate);
  }
  return validate(withoutNulls(response.body)) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}
