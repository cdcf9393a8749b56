import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Storage tests share the local stand-ins started once here, on free ports.
    globalSetup: ['test/setup/global-setup.ts'],
    setupFiles: ['test/setup/aws-env.ts'],
    // CDK's local esbuild bundling needs a real process (it hands process.stderr to a child).
    pool: 'forks',
    // Generous: the suite must pass while other work keeps every core busy.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      // We run Node 20 on purpose (the machines we target have it); the SDK's notice is noise.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
