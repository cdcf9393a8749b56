import { Duration } from 'aws-cdk-lib';
import { HttpApi, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { serviceFunction, type EntryPointProps } from './service-function';

/** Every dialect's REST API: one HTTP API whose `$default` route proxies everything to one Lambda. */
export class HttpApiEndpoint extends Construct {
  readonly handler: NodejsFunction;
  readonly api: HttpApi;
  /** Base URL of the default stage, without a trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: EntryPointProps) {
    super(scope, id);

    this.handler = serviceFunction(this, 'Handler', {
      entry: 'api',
      withWebUi: true,
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
    });
    this.url = this.api.apiEndpoint;

    // No cycle: the function points at the API resource, while only the integration, route and
    // invoke permission (separate resources) point back at the function.
    this.handler.addEnvironment('EXTERNAL_URL', this.url);

    props.stores.table.grantReadWriteData(this.handler);
    props.stores.evalQueue.grantSendMessages(this.handler);
    // Presigned URLs act with this role's permissions: uploads, downloads, deletes and tagging.
    props.stores.bucket.grantReadWrite(this.handler);
    // Nomad Variables: data keys are drawn from and unwrapped by the stack's key, nothing else.
    this.handler.addEnvironment('VARIABLES_KMS_KEY_ID', props.stores.variablesKey.keyArn);
    props.stores.variablesKey.grant(this.handler, 'kms:GenerateDataKey', 'kms:Decrypt');
    // Nomad's event stream reads the table's change stream.
    props.stores.table.grantStreamRead(this.handler);
  }
}
