import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStandIns, type StandIns } from '../../infra/local/stand-ins';

/**
 * Starts DynamoDB Local, the SQS stand-in and the S3 stand-in once for the whole run, on free
 * ports, in memory. Test files reach them through the environment `aws-env.ts` applies.
 * The SQS and S3 stand-ins live in this process; DynamoDB Local's JVM is tied to it by a watchdog
 * (see `infra/local/watchdog.cjs`), so a run that is interrupted or killed leaves nothing behind.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    awsEnv: Record<string, string>;
  }
}

export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const scratch = mkdtempSync(join(tmpdir(), 'jobplane-test-'));
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  let standIns: StandIns;
  try {
    standIns = await startStandIns({ scratchDir: join(scratch, 's3') });
  } catch (error) {
    removeScratch();
    throw error;
  }
  // Nomad Variables' local root key goes with the run's scratch folder, never into the checkout's `.data/`.
  project.provide('awsEnv', { ...standIns.env, VARIABLES_KEY_FILE: join(scratch, 'keyring', 'variables.key') });
  return async () => {
    try {
      await standIns.stop();
    } finally {
      removeScratch();
    }
  };
}
