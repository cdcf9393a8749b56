import { buildSync, type BuildOptions } from 'esbuild';

/**
 * How every Lambda entry point is bundled: esbuild's options and the one call the CDK constructs
 * make (service-function.ts), kept here so benchmarks build the very same bundle.
 *
 * The output is split: `index.mjs` holds what the entry point imports statically, and every
 * dynamic `import()` (a dialect, a group of Nomad routes, an SDK credential provider) is a chunk
 * of its own beside it, read only when first imported. A single file would make every cold start
 * parse all of it. NodejsFunction's own bundling writes one `--outfile` and cannot split, so the
 * constructs give it this code instead. Nothing is left external: the runtime's SDK lags the
 * versions this project is built and tested against.
 */
export const LAMBDA_BUNDLE: BuildOptions = {
  bundle: true,
  format: 'esm',
  splitting: true,
  platform: 'node',
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  // Stack traces only need the mappings, not a copy of every source file.
  sourcesContent: false,
  entryNames: 'index',
  outExtension: { '.js': '.mjs' },
  // CommonJS dependencies (qs, for one) `require` Node built-ins; in an ESM bundle esbuild routes
  // those through a shim that throws unless a real `require` is in scope (every chunk gets it).
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'error',
};

/** Bundles `entry` (an absolute path) into `outdir` as `index.mjs` and its chunks; esbuild's metafile. */
export function bundleLambda(entry: string, outdir: string, projectRoot: string) {
  return buildSync({ ...LAMBDA_BUNDLE, entryPoints: [entry], outdir, absWorkingDir: projectRoot, metafile: true }).metafile;
}
