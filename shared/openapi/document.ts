import * as z from '../util/zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject, type oas31 } from 'zod-openapi';

/**
 * One dialect's OpenAPI 3.1 document, made by zod-openapi from zod schemas: the request schemas
 * the routes validate with (imported from them) and the response schemas written beside each
 * operation. Schemas render as JSON Schema 2020-12, OpenAPI 3.1's own dialect.
 */
export type OpenApiDocument = oas31.OpenAPIObject;

export interface DialectDocument {
  title: string;
  description: string;
  /** The dialect's version as it reports it (Nomad's agent version, GitLab's /version). */
  version: string;
  /** Each tag's name and what it groups, in the order the reference shows them. */
  tags: Record<string, string>;
  securitySchemes: Record<string, oas31.SecuritySchemeObject>;
  paths: ZodOpenApiPathsObject;
}

export function openApiDocument(dialect: DialectDocument): OpenApiDocument {
  return createDocument({
    openapi: '3.1.0',
    info: { title: dialect.title, version: dialect.version, description: dialect.description },
    servers: [{ url: '/' }],
    tags: Object.entries(dialect.tags).map(([name, description]) => ({ name, description })),
    security: Object.keys(dialect.securitySchemes).map((name) => ({ [name]: [] })),
    components: { securitySchemes: dialect.securitySchemes },
    paths: dialect.paths,
  });
}

/** One operation under its tag. */
export function operation(tag: string, summary: string, rest: Omit<ZodOpenApiOperationObject, 'tags' | 'summary'>): ZodOpenApiOperationObject {
  return { tags: [tag], summary, ...rest };
}

/** A JSON request body. */
export function jsonBody(schema: z.ZodType, required = true) {
  return { required, content: { 'application/json': { schema } } };
}

/** A JSON answer. */
export function json(description: string, schema: z.ZodType, headers?: ZodOpenApiResponseObject['headers']): ZodOpenApiResponseObject {
  return { description, headers, content: { 'application/json': { schema } } };
}

/** A plain-text answer (Nomad's errors, GitLab's job trace). */
export function text(description: string): ZodOpenApiResponseObject {
  return { description, content: { 'text/plain': { schema: z.string() } } };
}

/** A download: an artifacts archive, or one file in it (any media type, as its name gives it). */
export function binary(description: string, type = 'application/octet-stream'): ZodOpenApiResponseObject {
  return { description, content: { [type]: { schema: z.string().meta({ contentMediaType: type }) } } };
}

/** An answer with no body. */
export function empty(description: string): ZodOpenApiResponseObject {
  return { description };
}
