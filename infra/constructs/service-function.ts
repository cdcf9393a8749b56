import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DataStores } from './data-stores';
import { METRICS_NAMESPACE } from '../../shared/observability/metrics-names';
import { LAMBDA_BUNDLE } from '../bundling/lambda-bundling';
import { writeBexprParser } from '../bundling/bexpr-parser';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What every entry point's construct is given: the shared data stores and environment. */
export interface EntryPointProps {
  stores: DataStores;
  environment: Record<string, string>;
}

export interface ServiceFunctionProps {
  /** Name of the entry point under `functions/`, without the extension. */
  entry: string;
  description: string;
  timeout: Duration;
  memorySize: number;
  environment: Record<string, string>;
  /** Retries of asynchronous invocations (Lambda's default is 2). */
  retryAttempts?: number;
  /** Concurrent executions reserved for (and capping) the function. */
  reservedConcurrentExecutions?: number;
}

/** A Lambda built from `functions/<entry>.ts`, bundled the same way for every entry point. */
export function serviceFunction(scope: Construct, id: string, props: ServiceFunctionProps): NodejsFunction {
  // The filter parser is generated from its grammar before esbuild bundles it (never committed,
  // never built at run time).
  writeBexprParser();
  return new NodejsFunction(scope, id, {
    entry: path.join(PROJECT_ROOT, 'functions', `${props.entry}.ts`),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    // The newest Node runtime Lambda offers; the code targets ES2022 and runs the same on 20 to 24.
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    description: props.description,
    timeout: props.timeout,
    memorySize: props.memorySize,
    retryAttempts: props.retryAttempts,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    // X-Ray traces every invocation, from API Gateway or SQS through the function.
    tracing: Tracing.ACTIVE,
    // Makes Node map stack traces of the minified bundle back to the TypeScript sources.
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE },
    logGroup: new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH }),
    bundling: {
      format: OutputFormat.ESM,
      mainFields: [...LAMBDA_BUNDLE.mainFields],
      minify: LAMBDA_BUNDLE.minify,
      sourceMap: LAMBDA_BUNDLE.sourcemap,
      sourcesContent: LAMBDA_BUNDLE.sourcesContent,
      target: LAMBDA_BUNDLE.target,
      // The runtime's SDK lags the versions this project is built and tested against, so bundle it.
      externalModules: [],
      banner: LAMBDA_BUNDLE.banner,
    },
  });
}
