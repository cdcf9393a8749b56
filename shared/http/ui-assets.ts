import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context, type Next } from 'hono';

/**
 * The web UI (`ui/`, built by Vite into `ui/dist` at `npm install`) under `/ui/`: hashed assets are
 * immutable, index.html is never cached and answers every other path below /ui/ (the app routes
 * them). A strict CSP: scripts, styles and connections only from this origin; style attributes are
 * allowed because the trace renderer's ANSI bold and 24-bit colours are inline styles.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

// Beside the sources (`npm start`); UI_DIR overrides it. On AWS the stack serves the UI from S3
// through CloudFront (infra/constructs/web-ui.ts) and the Lambda bundle carries no copy.
function uiDir(): string | undefined {
  const candidates = [process.env.UI_DIR, fileURLToPath(new URL('../../ui/dist/', import.meta.url))];
  return candidates.find((dir): dir is string => !!dir && existsSync(join(dir, 'index.html')));
}

export const uiAssets = new Hono();

uiAssets.use('/ui', headers);
uiAssets.use('/ui/*', headers);

async function headers(c: Context, next: Next) {
  await next();
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
}

uiAssets.get('/ui', (c) => c.redirect('/ui/', 301));

uiAssets.get('/ui/*', async (c) => {
  const dir = uiDir();
  if (!dir) return c.text('The web UI is not built here: run `npm install` (or `npx vite build ui`). On AWS it is served at the stack\'s PublicUrl (/ui/), not by the API.\n', 404);
  const relative = normalize(decodeURIComponent(c.req.path.slice('/ui/'.length)));
  if (relative.startsWith('assets/') && !relative.includes('..')) {
    const body = await readFile(join(dir, relative)).catch(() => undefined);
    if (!body) return c.body(null, 404);
    c.header('Content-Type', TYPES[extname(relative)] ?? 'application/octet-stream');
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    return c.body(body);
  }
  c.header('Content-Type', TYPES['.html']);
  c.header('Cache-Control', 'no-cache');
  return c.body(await readFile(join(dir, 'index.html')));
});
