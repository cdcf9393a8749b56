import { inject } from 'vitest';

// Points the AWS SDK at the stand-ins the global setup started.
Object.assign(process.env, inject('awsEnv'));
