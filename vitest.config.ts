import { defineConfig } from 'vitest/config';

// Two projects, told apart by file name: `unit` (pure logic on plain data, no stand-ins, seconds)
// and `standin` (`*.standin.test.ts`: storage, the HTTP stack, agents, restarts). `npm test` runs
// both; `npm test -- --project unit` only the first, without starting the stand-ins.
const STANDIN = 'test/**/*.standin.test.ts';

export default defineConfig({
  test: {
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
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [STANDIN],
          // Pure tests share no state, so a worker keeps its imports from file to file: half the CPU.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'standin',
          include: [STANDIN],
          // The local stand-ins are started once per run, on free ports, only for this project.
          globalSetup: ['test/setup/global-setup.ts'],
          setupFiles: ['test/setup/aws-env.ts'],
        },
      },
    ],
  },
});
