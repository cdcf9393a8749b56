import { createWriteStream } from 'node:fs';
import { format } from 'node:util';

/**
 * Logging as `npm start` sets it (infra/local/start.ts): plain request lines, no metric lines,
 * warnings and up. npm start prints its request lines; a bench writes them to /dev/null, so their
 * cost stays in its figures and the figures stay readable. Call it before the app is imported;
 * it returns the console's own `log`, for the figures.
 */
export function logAsNpmStart(): (...args: unknown[]) => void {
  process.env.REQUEST_LOG ??= 'text';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const print = console.log.bind(console);
  const devNull = createWriteStream('/dev/null');
  console.log = (...args: unknown[]) => void devNull.write(`${format(...args)}\n`);
  return print;
}
