import Ajv2020 from 'ajv/dist/2020';
import type { OpenApiDocument } from '../../shared/openapi/document';
import type { ApiResponse } from './nomad';

/**
 * Live answers checked against an OpenAPI document: the status must be one the operation
 * documents, the media type one it declares for that status, and a JSON body must validate
 * against the documented schema (Ajv's JSON Schema 2020-12, the dialect OpenAPI 3.1 uses), with
 * the document's components resolved. It also counts which operations were exercised, so a test
 * can insist that every documented one was.
 */
export class DocumentedAnswers {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  private readonly seen = new Set<string>();

  constructor(private readonly document: OpenApiDocument) {
    this.ajv.addSchema(document as object, 'doc');
  }

  /** The documented operations (`GET /v1/jobs`), those of `tag` only when given. */
  operations(tag?: string): string[] {
    return Object.entries(this.document.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { tags?: string[] }>)
        .filter(([key, operation]) => ['get', 'put', 'post', 'delete', 'patch'].includes(key) && (tag === undefined || (operation.tags ?? []).includes(tag)))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
  }

  /** The documented operations never called (of `tag` only when given; `except` leaves a tag to another test file). */
  unexercised(options: { tag?: string; except?: string } = {}): string[] {
    const elsewhere = new Set(options.except === undefined ? [] : this.operations(options.except));
    return this.operations(options.tag).filter((operation) => !this.seen.has(operation) && !elsewhere.has(operation));
  }

  /** The problems of `response` as an answer of `method path` (a documented path template); empty when it conforms. */
  problems(method: string, path: string, response: ApiResponse): string[] {
    const operation = this.document.paths?.[path]?.[method.toLowerCase() as 'get'];
    if (!operation) return [`${method} ${path} is not documented`];
    this.seen.add(`${method.toUpperCase()} ${path}`);
    const status = String(response.status);
    const documented = operation.responses?.[status] as { content?: Record<string, unknown> } | undefined;
    if (!documented) return [`${method} ${path} answered ${status}, which is not documented: ${response.text.slice(0, 300)}`];
    const types = Object.keys(documented.content ?? {});
    if (types.length === 0) return response.text === '' ? [] : [`${method} ${path} ${status} documents no body, got ${response.text.slice(0, 200)}`];
    const type = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    const matches = (documented: string) => documented === type || documented === '*/*' || (documented.endsWith('/*') && type.startsWith(documented.slice(0, -1)));
    if (!types.some(matches)) return [`${method} ${path} ${status} answered ${type || 'no content type'}, documented ${types.join(', ')}`];
    if (type !== 'application/json') return [];
    const pointer = ['paths', path, method.toLowerCase(), 'responses', status, 'content', type, 'schema'].map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
    const validate = this.ajv.getSchema(`doc#/${pointer}`);
    if (!validate) return [`no schema at ${pointer}`];
    if (validate(response.body)) return [];
    return (validate.errors ?? []).map((error) => `${method} ${path} ${status}: ${error.instancePath || '(body)'} ${error.message} ${JSON.stringify(error.params)}`);
  }

  /** Throws with every problem, so a test fails naming the field that does not match. */
  check<T extends ApiResponse>(method: string, path: string, response: T): T {
    const problems = this.problems(method, path, response);
    if (problems.length > 0) throw new Error(problems.join('\n'));
    return response;
  }
}
