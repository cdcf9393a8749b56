import { Duration } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { serviceFunction, type EntryPointProps } from './service-function';

/**
 * Job actions on AWS (`WebSocket /v1/job/:job_id/action`): an API Gateway WebSocket API whose
 * $connect, $default and $disconnect routes all go to one Lambda. Callers connect to it with the
 * job in the query (`?job_id=…&action=…&allocID=…&task=…`); agents keep their action channel open
 * on it (`?role=agent`). The Lambda relays between the two with postToConnection, keeping which
 * connection is whose in the table (see shared/nomad/http/apigw-relay.ts).
 */
export class ActionsWebSocket extends Construct {
  readonly handler: NodejsFunction;
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  /** `wss://…/v1`: where callers and agents connect. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: EntryPointProps) {
    super(scope, id);

    this.handler = serviceFunction(this, 'Handler', {
      entry: 'actions-ws',
      description: 'jobplane job actions WebSocket relay',
      // A frame posted while its caller is still connecting is retried for about a second.
      timeout: Duration.seconds(29),
      memorySize: 512,
      environment: props.environment,
    });
    const integration = (route: string) => new WebSocketLambdaIntegration(`${route}Integration`, this.handler);
    this.api = new WebSocketApi(this, 'Api', {
      description: 'jobplane job actions (callers and agent channels)',
      connectRouteOptions: { integration: integration('Connect') },
      disconnectRouteOptions: { integration: integration('Disconnect') },
      defaultRouteOptions: { integration: integration('Default') },
    });
    this.stage = new WebSocketStage(this, 'Stage', { webSocketApi: this.api, stageName: 'v1', autoDeploy: true });
    this.url = this.stage.url;

    this.handler.addEnvironment('ACTIONS_CALLBACK_URL', this.stage.callbackUrl);
    this.api.grantManageConnections(this.handler);
    props.stores.table.grantReadWriteData(this.handler);
  }
}
