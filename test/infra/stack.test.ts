import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataStores } from '../../infra/constructs/data-stores';
import { JobplaneStack } from '../../infra/stack';
import { wakeConcurrency, workerConcurrency } from '../../shared/config';
import {
  GLOBAL_INDEXES,
  S3_EXPIRED_TAG,
} from '../../shared/storage/table-schema';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

// The same feature flags `cdk synth` runs with, so the template under test is the deployed one.
const { context } = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

let app: App;
let stack: JobplaneStack;
let template: Template;

const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });
const functions = () => ({
  api: stack.http.handler,
  worker: stack.worker.handler,
  periodic: stack.periodic.handler,
  actions: stack.actions.handler,
});

const propertiesOf = (construct: IConstruct): Record<string, any> => template.toJSON().Resources[logicalId(construct)].Properties;

function functionProperties(fn: IConstruct): Record<string, any> {
  return template.toJSON().Resources[logicalId(fn)].Properties;
}

/** Statements of every IAM policy attached to the function's execution role. */
function statementsOf(fn: IConstruct & { role?: IConstruct }): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([ref(fn.role!)]) },
  });
  expect(Object.keys(policies)).not.toHaveLength(0);
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());

beforeAll(() => {
  app = new App({ context });
  stack = new JobplaneStack(app, 'Test');
  template = Template.fromStack(stack);
}, 120_000);

// `new App()` synthesises into a fresh temporary directory; bundles included.
afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));

describe('DynamoDB table', () => {
  it('follows the single-table schema with on-demand billing, PITR and TTL', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ExpiresAt', Enabled: true },
      Replicas: [
        Match.objectLike({
          Region: { Ref: 'AWS::Region' },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
  });

  it('has the six sparse string-keyed GSIs: four ALL-projected, GSI5 and GSI6 KEYS_ONLY', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))[0].Properties;
    const projections = { GSI1: 'ALL', GSI2: 'ALL', GSI3: 'ALL', GSI4: 'ALL', GSI5: 'KEYS_ONLY', GSI6: 'KEYS_ONLY' };
    expect(table.GlobalSecondaryIndexes).toEqual(
      Object.entries(projections).map(([name, projection]) => ({
        IndexName: name,
        KeySchema: [
          { AttributeName: `${name}PK`, KeyType: 'HASH' },
          { AttributeName: `${name}SK`, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: projection },
      })),
    );
    expect(GLOBAL_INDEXES.map((index) => [index.indexName, index.projection])).toEqual(Object.entries(projections));
    expect(table.AttributeDefinitions.map((attribute: { AttributeName: string }) => attribute.AttributeName).sort()).toEqual(
      ['PK', 'SK', ...Object.keys(projections).flatMap((name) => [`${name}PK`, `${name}SK`])].sort(),
    );
    for (const attribute of table.AttributeDefinitions) expect(attribute.AttributeType).toBe('S');
  });

  it('leaves out the indexes `-c withoutIndexes` names (one new index per deploy of an existing table), and refuses unknown names', () => {
    const indexesWithout = (withoutIndexes: unknown) => {
      const stores = new DataStores(new Stack(new App({ context: { withoutIndexes } }), 'Stores'), 'Stores');
      const resources = Template.fromStack(Stack.of(stores)).findResources('AWS::DynamoDB::GlobalTable');
      return Object.values(resources)[0].Properties.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName);
    };
    expect(indexesWithout('GSI6')).toEqual(['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5']);
    expect(indexesWithout('GSI5, GSI6')).toEqual(['GSI1', 'GSI2', 'GSI3', 'GSI4']);
    expect(indexesWithout(['GSI6'])).toEqual(['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5']);
    expect(() => indexesWithout('GSI7')).toThrow('withoutIndexes names no index of the table: GSI7');
  });

  it('is retained when the stack goes away', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('evaluation queue', () => {
  it('is FIFO without content-based dedup, encrypted, redriving to a FIFO DLQ (and so is the wake queue)', () => {
    template.resourceCountIs('AWS::SQS::Queue', 3);
    for (const queue of [stack.stores.evalQueue, stack.stores.wakeQueue]) {
      expect(template.toJSON().Resources[logicalId(queue)].Properties).toMatchObject({
        FifoQueue: true,
        ContentBasedDeduplication: false,
        VisibilityTimeout: 60,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: arnOf(stack.stores.evalDeadLetterQueue), maxReceiveCount: 5 },
      });
    }
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: Match.absent(),
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      RedrivePolicy: Match.absent(),
    });
  });

  it('feeds the worker in batches of 10 with partial batch responses, from the evaluation queue and the wake queue', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    for (const queue of [stack.stores.evalQueue, stack.stores.wakeQueue]) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: ref(stack.worker.handler),
        EventSourceArn: arnOf(queue),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  it('runs as many message groups at once as the local worker does, and no more, with a lane of its own for wakes', () => {
    // WORKER_CONCURRENCY and WAKE_CONCURRENCY are unset here: both sides take their defaults.
    expect(functionProperties(stack.worker.handler).ReservedConcurrentExecutions).toBe(workerConcurrency() + wakeConcurrency());
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.stores.evalQueue),
      ScalingConfig: { MaximumConcurrency: workerConcurrency() },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.stores.wakeQueue),
      ScalingConfig: { MaximumConcurrency: wakeConcurrency() },
    });
    expect(workerConcurrency()).toBe(4);
    expect(wakeConcurrency()).toBe(2);
  });

  it('lets the worker finish before its messages become visible again', () => {
    const queue = template.toJSON().Resources[logicalId(stack.stores.evalQueue)].Properties;
    expect(functionProperties(stack.worker.handler).Timeout).toBeLessThan(queue.VisibilityTimeout);
  });
});

describe('bucket', () => {
  it('blocks public access, encrypts with S3-managed keys and keeps no versions', () => {
    // The data bucket, the bucket of server access logs and the web UI's bucket (test/infra/web-ui.test.ts).
    template.resourceCountIs('AWS::S3::Bucket', 3);
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: Match.absent(),
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('expires multipart leftovers, stale uploads and objects tagged as expired', () => {
    const bucket = propertiesOf(stack.stores.bucket);
    const rules = bucket.LifecycleConfiguration.Rules.map(({ Id: _id, ...rule }: Record<string, unknown>) => rule);
    expect(rules).toEqual([
      { AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
      { Prefix: 'uploads/', ExpirationInDays: 2, Status: 'Enabled' },
      { TagFilters: [{ Key: S3_EXPIRED_TAG, Value: 'true' }], ExpirationInDays: 1, Status: 'Enabled' },
    ]);
  });

  it('logs its accesses to a bucket of their own', () => {
    expect(propertiesOf(stack.stores.bucket).LoggingConfiguration).toEqual({
      DestinationBucketName: ref(stack.stores.accessLogsBucket),
      LogFilePrefix: 'data-bucket/',
    });
    expect(propertiesOf(stack.stores.accessLogsBucket).LoggingConfiguration).toBeUndefined();
  });

  it.each(['bucket', 'accessLogsBucket'] as const)('%s denies requests without TLS', (name) => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(stack.stores[name]),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('HTTP API', () => {
  it('proxies the $default route to the API function with payload v2', () => {
    expect(Object.keys(template.findResources('AWS::ApiGatewayV2::Api', { Properties: { ProtocolType: 'HTTP' } }))).toHaveLength(1);
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration', {
      Properties: {
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: arnOf(stack.http.handler),
        PayloadFormatVersion: '2.0',
      },
    });
    const [integrationId] = Object.keys(integrations);
    expect(Object.keys(integrations)).toHaveLength(1);
    expect(Object.keys(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: ref(stack.http.api) } }))).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AutoDeploy: true });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(stack.http.handler),
      Principal: 'apigateway.amazonaws.com',
    });
  });
});

describe('actions WebSocket API', () => {
  it('routes $connect, $default and $disconnect to the relay function on a v1 stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'WEBSOCKET' });
    const routes = template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: ref(stack.actions.api) } });
    expect(Object.values(routes).map((route) => route.Properties.RouteKey).sort()).toEqual(['$connect', '$default', '$disconnect']);
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration', {
      Properties: { ApiId: ref(stack.actions.api), IntegrationType: 'AWS_PROXY' },
    });
    expect(Object.keys(integrations)).toHaveLength(3);
    for (const integration of Object.values(integrations)) {
      expect(JSON.stringify(integration.Properties.IntegrationUri)).toContain(logicalId(stack.actions.handler));
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { ApiId: ref(stack.actions.api), StageName: 'v1', AutoDeploy: true });
    const url = JSON.stringify(template.toJSON().Outputs.ActionsWebSocketUrl.Value);
    expect(url).toMatch(new RegExp(`^\\{"Fn::Join":\\["",\\["wss://",\\{"Ref":"${logicalId(stack.actions.api)}"\\},"\\.execute-api\\.",.*"/v1"\\]\\]\\}$`));
  });

  it('lets the relay post to connections and use the table, and nothing in S3 or SQS', () => {
    const actions = actionsOf(statementsOf(stack.actions.handler));
    expect(actions).toEqual(expect.arrayContaining(['execute-api:ManageConnections', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']));
    expect(actions.filter((action) => action.startsWith('s3:') || action.startsWith('sqs:'))).toEqual([]);
  });

  it('lets the HTTP API post client RPC requests to agent channels', () => {
    expect(actionsOf(statementsOf(stack.http.handler))).toContain('execute-api:ManageConnections');
  });
});

describe('Nomad event stream', () => {
  it('reads the table’s stream of new and old images from the HTTP API', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
    expect(actionsOf(statementsOf(stack.http.handler))).toEqual(expect.arrayContaining(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']));
  });
});

describe('Nomad Variables key', () => {
  it('is a retained, rotated KMS key that only the HTTP API may draw and unwrap data keys from', () => {
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
    const statements = statementsOf(stack.http.handler).filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(arnOf(stack.stores.variablesKey)));
    expect(actionsOf(statements).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    for (const fn of [stack.worker.handler, stack.periodic.handler, stack.actions.handler]) {
      expect(actionsOf(statementsOf(fn)).filter((action) => action.startsWith('kms:'))).toEqual([]);
    }
  });
});

describe('periodic duties', () => {
  it('run every minute from an EventBridge rule, without async retries', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: arnOf(stack.periodic.handler) })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: arnOf(stack.periodic.handler),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(stack.periodic.schedule),
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(stack.periodic.handler),
      MaximumRetryAttempts: 0,
    });
  });
});

describe('functions', () => {
  it('are Node.js 24 ESM bundles on arm64 with a month of logs and active tracing', () => {
    // Besides CDK's own deploy-time handlers (copying the web UI into its bucket, emptying that bucket).
    const own = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => !/^Custom(CDKBucketDeployment|S3AutoDeleteObjects)/.test(id));
    expect(own.sort()).toEqual(Object.values(functions()).map(logicalId).sort());
    for (const fn of Object.values(functions())) {
      const properties = functionProperties(fn);
      expect(properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', TracingConfig: { Mode: 'Active' } });
      const logGroupId = properties.LoggingConfig.LogGroup.Ref;
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 30 },
      });
    }
  });

  it('get the shared environment, EXTERNAL_URL pointing at the public origin (the distribution of the UI and the API)', () => {
    const publicUrl = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.webUi.distribution), 'DomainName'] }]] };
    // The API tells agents where the actions WebSocket API is; its Lambda posts back through the stage.
    const own: Record<string, Record<string, unknown>> = {
      api: { ACTIONS_WEBSOCKET_URL: expect.anything(), ACTIONS_CALLBACK_URL: expect.anything(), VARIABLES_KMS_KEY_ID: arnOf(stack.stores.variablesKey) },
      actions: { ACTIONS_CALLBACK_URL: expect.anything() },
    };
    for (const [name, fn] of Object.entries(functions())) {
      expect(functionProperties(fn).Environment.Variables).toEqual({
        ...own[name],
        TABLE_NAME: ref(stack.stores.table),
        EVAL_QUEUE_URL: ref(stack.stores.evalQueue),
        WAKE_QUEUE_URL: ref(stack.stores.wakeQueue),
        BUCKET_NAME: ref(stack.stores.bucket),
        ACL_ENABLED: 'true',
        BOOTSTRAP_TOKEN_SHA256: { Ref: 'BootstrapTokenSha256' },
        NOMAD_REGION: 'global',
        EXTERNAL_URL: publicUrl,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_METRICS_NAMESPACE: 'jobplane',
      });
    }
  });

  it('take the bootstrap token digest from an optional NoEcho parameter', () => {
    template.hasParameter('BootstrapTokenSha256', { Type: 'String', NoEcho: true, Default: '' });
  });

  it('bundle every dependency into ESM files (index.mjs and its chunks) that load in Node on their own', () => {
    for (const fn of Object.values(functions())) {
      const key: string = functionProperties(fn).Code.S3Key;
      const dir = path.join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`);
      const bundle = path.join(dir, 'index.mjs');
      expect(readFileSync(`${bundle}.map`, 'utf8')).toContain('"mappings"');
      // The web UI is served from S3 on AWS; no function carries a copy.
      expect(existsSync(path.join(dir, 'ui')), 'ui/ beside the bundle').toBe(false);
      // Every dynamic import is a chunk of its own, read only when first imported.
      const chunks = readdirSync(dir).filter((name) => name.endsWith('.mjs') && name !== 'index.mjs');
      expect(chunks.length).toBeGreaterThan(0);
      // esbuild's shim for a CommonJS `require` throws when first called unless a real one is in scope:
      // every file opens with one, whether or not this build happens to need it.
      for (const file of ['index.mjs', ...chunks]) {
        expect(readFileSync(path.join(dir, file), 'utf8')).toMatch(/^import \{ createRequire as __createRequire \} from 'node:module'; const require = __createRequire\(import\.meta\.url\);/);
      }
      // Loading the bundle and every chunk from a folder with no node_modules proves nothing is left
      // external, every chunk resolves, and CommonJS dependencies find a real `require`.
      const files = JSON.stringify(chunks.map((name) => path.join(dir, name)));
      const probe = `const m = await import(${JSON.stringify(bundle)}); if (typeof m.handler !== 'function') process.exit(2); for (const f of ${files}) await import(f);`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
        cwd: os.tmpdir(),
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' },
        encoding: 'utf8',
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
  });
});

describe('IAM', () => {
  it('gives the API table read/write, queue send and bucket read/write/delete/tagging', () => {
    const actions = actionsOf(statementsOf(stack.http.handler));
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'sqs:SendMessage',
        's3:GetObject*',
        's3:PutObject',
        's3:DeleteObject*',
        's3:PutObjectTagging',
      ]),
    );
    expect(actions).not.toContain('sqs:ReceiveMessage');
  });

  it('lets the worker consume and send evaluations but not touch S3', () => {
    const actions = actionsOf(statementsOf(stack.worker.handler));
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage']),
    );
    expect(actions.filter((action) => action.startsWith('s3:'))).toEqual([]);
  });

  it('lets the periodic duties read, delete and tag objects but not write them', () => {
    const actions = actionsOf(statementsOf(stack.periodic.handler));
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:PutItem',
        'sqs:SendMessage',
        's3:GetObject*',
        's3:DeleteObject*',
        's3:PutObjectTagging',
      ]),
    );
    expect(actions).not.toContain('s3:PutObject');
    expect(actions).not.toContain('sqs:ReceiveMessage');
  });

  it('never grants data-plane actions on Resource "*"', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
    const onData = statements.filter((s) => actionsOf([s]).some((a) => /^(dynamodb|sqs|s3):/.test(a)));
    expect(onData.length).toBeGreaterThanOrEqual(8);
    for (const statement of onData) {
      expect([statement.Resource].flat()).not.toContain('*');
    }
  });
});

describe('outputs', () => {
  it('publish the API URL, table, queue and bucket', () => {
    const outputs = template.toJSON().Outputs;
    expect(outputs.ApiUrl.Value).toEqual({ 'Fn::GetAtt': [logicalId(stack.http.api), 'ApiEndpoint'] });
    expect(outputs.TableName.Value).toEqual(ref(stack.stores.table));
    expect(outputs.EvalQueueUrl.Value).toEqual(ref(stack.stores.evalQueue));
    expect(outputs.BucketName.Value).toEqual(ref(stack.stores.bucket));
  });
});
