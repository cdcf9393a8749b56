import { inject } from 'vitest';

// Points the AWS SDK at the stand-ins the global setup started.
Object.assign(process.env, inject('awsEnv'));

// A test worker outlives a vitest that was killed (SIGKILL leaves it no time to stop its workers);
// with its parent gone it stops at once, and what it started (a local stack's DynamoDB Local JVM,
// tied to it by a watchdog) goes with it.
if (process.connected) process.once('disconnect', () => process.exit(1));
