import { Duration, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpStage, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { acknowledgeAuthorizationInFunction, stageAccessLogs } from './access-logs';
import { serviceFunction, type EntryPointProps } from './service-function';
import { acknowledgeBucketGrants, acknowledgeFunctionGrants } from './nag-acknowledgements';

/** Default-stage throttle: steady requests per second and burst, well inside the account's limits. */
export const HTTP_API_THROTTLE = { rateLimit: 1000, burstLimit: 2000 };

/** Every dialect's REST API: one HTTP API whose `$default` route proxies everything to one Lambda. */
export class HttpApiEndpoint extends Construct {
  readonly handler: NodejsFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** Base URL of the default stage, without a trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: EntryPointProps) {
    super(scope, id);

    this.handler = serviceFunction(this, 'Handler', {
      entry: 'api',
      description: 'jobplane HTTP API (Nomad, GitLab CI and CodeArts job APIs)',
      // API Gateway gives up on an HTTP API integration after 30 s; stop the Lambda before that.
      timeout: Duration.seconds(29),
      memorySize: 1024,
      environment: props.environment,
    });

    this.api = new HttpApi(this, 'Api', {
      description: 'jobplane HTTP API',
      defaultIntegration: new HttpLambdaIntegration('Handler', this.handler, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
      // The default stage is made below, with its throttle and access logs.
      createDefaultStage: false,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: HTTP_API_THROTTLE,
      accessLogSettings: stageAccessLogs(this, 'AccessLogs', {
        method: '$context.httpMethod',
        path: '$context.path',
        status: '$context.status',
        protocol: '$context.protocol',
        responseLength: '$context.responseLength',
        responseLatency: '$context.responseLatency',
        integrationLatency: '$context.integrationLatency',
        integrationError: '$context.integrationErrorMessage',
      }),
    });
    acknowledgeAuthorizationInFunction(this.api);
    this.url = this.api.apiEndpoint;

    props.stores.table.grantReadWriteData(this.handler);
    props.stores.evalQueue.grantSendMessages(this.handler);
    props.stores.wakeQueue.grantSendMessages(this.handler);
    // Presigned URLs act with this role's permissions: uploads, downloads, deletes and tagging.
    props.stores.bucket.grantReadWrite(this.handler);
    // Nomad Variables: data keys are drawn from and unwrapped by the stack's key, nothing else.
    this.handler.addEnvironment('VARIABLES_KMS_KEY_ID', props.stores.variablesKey.keyArn);
    props.stores.variablesKey.grant(this.handler, 'kms:GenerateDataKey', 'kms:Decrypt');
    // Nomad's event stream reads the table's change stream.
    props.stores.table.grantStreamRead(this.handler);

    acknowledgeFunctionGrants(this.handler, props.stores.table);
    acknowledgeBucketGrants(this.handler, props.stores.bucket, ['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*']);
    Validations.of(this.handler).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'API Gateway invokes the function synchronously and hands its failure to the caller; there is no asynchronous event to keep.',
    });
  }
}
