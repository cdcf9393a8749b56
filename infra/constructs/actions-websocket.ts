import { Duration, Validations } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { acknowledgeAuthorizationInFunction, stageAccessLogs } from './access-logs';
import { serviceFunction, type EntryPointProps } from './service-function';
import { acknowledgeConnectionsGrant, acknowledgeFunctionGrants } from './nag-acknowledgements';

/** Stage throttle for messages and connects: agents' channels and action sessions are few and small. */
export const WEBSOCKET_THROTTLE = { rateLimit: 500, burstLimit: 1000 };

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
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: 'v1',
      autoDeploy: true,
      throttle: WEBSOCKET_THROTTLE,
      accessLogSettings: stageAccessLogs(this, 'AccessLogs', {
        connectionId: '$context.connectionId',
        eventType: '$context.eventType',
        routeKey: '$context.routeKey',
        status: '$context.status',
        integrationLatency: '$context.integrationLatency',
        error: '$context.error.message',
      }),
    });
    acknowledgeAuthorizationInFunction(this.api);
    this.url = this.stage.url;

    this.handler.addEnvironment('ACTIONS_CALLBACK_URL', this.stage.callbackUrl);
    this.api.grantManageConnections(this.handler);
    props.stores.table.grantReadWriteData(this.handler);

    acknowledgeFunctionGrants(this.handler, props.stores.table);
    acknowledgeConnectionsGrant(this.handler, this.api);
    Validations.of(this.handler).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'API Gateway invokes the function synchronously for each WebSocket message; the sender sees the failure.',
    });
  }
}
