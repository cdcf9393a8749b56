import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

/**
 * Checks response bodies against Nomad's OpenAPI document, the way the acceptance check does.
 * Nomad marshals unset pointers as `null` while the document declares no nullable field, so nulls
 * are dropped before validating.
 *
 * The document is the team's copy beside the checkout (`../shared/contracts/`), found from any
 * clone by walking up, or named by NOMAD_OPENAPI_CONTRACT. It is not part of this repository.
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

let document: any;
let ajv: Ajv;
const validators = new Map<string, ValidateFunction>();

function load() {
  if (document) return;
  if (!CONTRACT) throw new Error('Nomad OpenAPI document not found');
  document = parse(readFileSync(CONTRACT, 'utf8'));
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

/** The errors of a 200 body of `method path` (an OpenAPI path template such as `/job/{jobName}`); [] when it conforms. */
export function contractErrors(method: string, path: string, body: unknown): string[] {
  load();
  const key = `${method} ${path}`;
  let validate = validators.get(key);
  if (!validate) {
    const operation = document.paths[path]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${key} is not in the contract`);
    let response = operation.responses['200'];
    if (response.$ref) response = document.components.responses[response.$ref.split('/').pop()];
    const schema = response.content?.['application/json']?.schema ?? {};
    validate = ajv.compile(rewriteRefs(schema) as object);
    validators.set(key, validate);
  }
  if (body === null) return [];
  return validate(withoutNulls(body)) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}
