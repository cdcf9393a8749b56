import { Hono } from 'hono';
import type { OpenApiDocument } from './document';

/**
 * `/openapi/<dialect>.json` and the API reference page at `/openapi/`. Nothing here loads with
 * the app: a document is built on its first request (importing that dialect's request schemas)
 * and kept for the life of the process.
 */
const BUILDERS = {
  nomad: async () => (await import('./nomad')).nomadDocument(),
  gitlab: async () => (await import('./gitlab')).gitlabDocument(),
  codearts: async () => (await import('./codearts')).codeartsDocument(),
} satisfies Record<string, () => Promise<OpenApiDocument>>;

export type DocumentedDialect = keyof typeof BUILDERS;
export const DOCUMENTED_DIALECTS = Object.keys(BUILDERS) as DocumentedDialect[];

const built = new Map<DocumentedDialect, Promise<OpenApiDocument>>();

export function dialectDocument(dialect: DocumentedDialect): Promise<OpenApiDocument> {
  let document = built.get(dialect);
  if (!document) {
    document = BUILDERS[dialect]();
    built.set(dialect, document);
    document.catch(() => built.delete(dialect));
  }
  return document;
}

function isDocumented(name: string): name is DocumentedDialect {
  return Object.hasOwn(BUILDERS, name);
}

export const openapiRoutes = new Hono();

openapiRoutes.get('/openapi/:file{[a-z]+\\.json}', async (c) => {
  const dialect = c.req.param('file').replace(/\.json$/, '');
  if (!isDocumented(dialect)) return c.body(null, 404);
  c.header('Cache-Control', 'no-cache');
  c.header('Access-Control-Allow-Origin', '*');
  return c.json(await dialectDocument(dialect));
});

openapiRoutes.get('/openapi', (c) => c.redirect('/openapi/', 301));

openapiRoutes.get('/openapi/', async (c) => {
  const { referencePage, REFERENCE_CSP } = await import('./reference-page');
  const documents = await Promise.all(DOCUMENTED_DIALECTS.map(async (dialect) => ({ dialect, document: await dialectDocument(dialect) })));
  c.header('Content-Security-Policy', REFERENCE_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Cache-Control', 'no-cache');
  return c.html(referencePage(documents));
});
