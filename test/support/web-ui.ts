import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from '../../infra/local/stand-ins';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../infra/local/local-stack';
import type { ApiResponse } from './nomad';
import { callUrl } from './nomad-http';

/**
 * The web UI in headless Chromium (Debian's `chromium`, driven by playwright-core) against a local
 * stack: the browser, the stack, sign-in, screenshots to docs/screenshots/, and the API beside.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
// As the contract tests do (test/support/nomad-contract.ts): in CI the browser tests never skip.
if (!haveChromium && Boolean(process.env.CI) && process.env.CI !== 'false') throw new Error(`${CHROMIUM} is missing: CI installs the chromium package (.ci/run)`);
if (!haveChromium) console.warn(`[web-ui] skipped: no ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

const SCREENSHOTS = resolve('docs/screenshots');
// Generous: a busy 2-core machine runs the agent, the runner, the worker and a browser at once.
export const SEEN = { timeout: 90_000 };

export interface WebUi {
  stack: LocalStack;
  browser: Browser;
  page: Page;
  /** Saves a full-page screenshot as docs/screenshots/<name>.png. */
  shot(name: string): Promise<void>;
  /** The sign-in page: each token given is saved to the tab's session storage, the others cleared. */
  signIn(tokens: { nomad?: string; gitlab?: string; codearts?: string }): Promise<void>;
  /** A call to the stack's API, beside the browser. */
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  stop(): Promise<void>;
}

async function ensureBuilt(): Promise<void> {
  // `npm install` builds the UI (the prepare script); a checkout that skipped it gets it built here.
  if (existsSync(resolve('ui/dist/index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: resolve('ui/vite.config.ts'), logLevel: 'warn' });
}

export async function startWebUi(options: Pick<LocalStackOptions, 'agent' | 'runner'>): Promise<WebUi> {
  await ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'jobplane-ui-'));
  const stack = await startLocalStack({ dataDir, port: await freePort(), periodicMs: 3_600_000, ...options });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(SEEN.timeout);
  return {
    stack,
    browser,
    page,
    async shot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async signIn(tokens) {
      await page.goto(`${stack.url}/ui/sign-in`);
      for (const dialect of ['nomad', 'gitlab', 'codearts'] as const) await page.locator(`input[name=${dialect}]`).fill(tokens[dialect] ?? '');
      await page.getByRole('button', { name: 'Save' }).click();
    },
    api: (method, path, body, headers) => callUrl(stack.url, method, path, body, headers),
    async stop() {
      try {
        await browser.close();
        await stack.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
