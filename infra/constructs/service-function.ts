import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, type Duration } from 'aws-cdk-lib';
import { Architecture, Code, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DataStores } from './data-stores';
import { METRICS_NAMESPACE } from '../../shared/observability/metrics-names';
import { bundleLambda } from '../bundling/lambda-bundling';
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

/**
 * The bundle of `functions/<entry>.ts`, built on this machine (esbuild is a dependency of the
 * project, so Docker is never needed).
 */
function lambdaCode(entry: string): Code {
  return Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: Runtime.NODEJS_24_X.bundlingImage,
      local: {
        tryBundle(outputDir) {
          bundleLambda(path.join(PROJECT_ROOT, 'functions', `${entry}.ts`), outputDir, PROJECT_ROOT);
          return true;
        },
      },
    },
  });
}

/** A Lambda built from `functions/<entry>.ts`, bundled the same way for every entry point. */
export function serviceFunction(scope: Construct, id: string, props: ServiceFunctionProps): NodejsFunction {
  // The filter parser is generated from its grammar before esbuild bundles it (never committed,
  // never built at run time).
  writeBexprParser();
  return new NodejsFunction(scope, id, {
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
    // index.mjs and its chunks (lambda-bundling.ts); NodejsFunction's own bundling cannot split.
    code: lambdaCode(props.entry),
    handler: 'index.handler',
  });
}
