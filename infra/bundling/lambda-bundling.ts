/**
 * How every Lambda entry point is bundled: the esbuild options the CDK constructs pass to
 * NodejsFunction, kept here so benchmarks can build the very same bundle with esbuild directly.
 */
export const LAMBDA_BUNDLE = {
  format: 'esm',
  platform: 'node',
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  // Stack traces only need the mappings, not a copy of every source file.
  sourcesContent: false,
  // CommonJS dependencies (qs, for one) `require` Node built-ins; in an ESM bundle esbuild routes
  // those through a shim that throws unless a real `require` is in scope.
  banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
} as const;
