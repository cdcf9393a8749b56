import { CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ActionsWebSocket } from './constructs/actions-websocket';
import { DataStores } from './constructs/data-stores';
import { EvalWorker } from './constructs/eval-worker';
import { HttpApiEndpoint } from './constructs/http-api';
import { PeriodicDuties } from './constructs/periodic-duties';
import { acknowledgeConnectionsGrant } from './constructs/nag-acknowledgements';
import { Monitoring } from './constructs/monitoring';
import { WebUi } from './constructs/web-ui';

/**
 * The whole control plane. Each entry point (HTTP API, actions WebSocket API, worker, periodic
 * duties) is its own construct over the shared data stores and environment.
 */
export class JobplaneStack extends Stack {
  readonly stores: DataStores;
  readonly http: HttpApiEndpoint;
  readonly worker: EvalWorker;
  readonly periodic: PeriodicDuties;
  readonly actions: ActionsWebSocket;
  readonly monitoring: Monitoring;
  readonly webUi: WebUi;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const bootstrapTokenSha256 = new CfnParameter(this, 'BootstrapTokenSha256', {
      type: 'String',
      noEcho: true,
      default: '',
      allowedPattern: '^([0-9a-f]{64})?$',
      constraintDescription: 'must be empty or a lowercase hex SHA-256 digest',
      description: 'SHA-256 (hex) of the Nomad bootstrap management token; empty for none',
    });

    this.stores = new DataStores(this, 'Data');
    const environment: Record<string, string> = {
      TABLE_NAME: this.stores.table.tableName,
      EVAL_QUEUE_URL: this.stores.evalQueue.queueUrl,
      WAKE_QUEUE_URL: this.stores.wakeQueue.queueUrl,
      BUCKET_NAME: this.stores.bucket.bucketName,
      ACL_ENABLED: 'true',
      BOOTSTRAP_TOKEN_SHA256: bootstrapTokenSha256.valueAsString,
      NOMAD_REGION: 'global',
    };

    this.actions = new ActionsWebSocket(this, 'Actions', { stores: this.stores, environment });
    // Agents ask the HTTP API where to open their action channel.
    this.http = new HttpApiEndpoint(this, 'Http', { stores: this.stores, environment: { ...environment, ACTIONS_WEBSOCKET_URL: this.actions.url } });
    // The public origin: the web UI and the three APIs under one host; web_url and page links point there.
    this.webUi = new WebUi(this, 'WebUi', { api: this.http.api, accessLogsBucket: this.stores.accessLogsBucket });
    this.http.handler.addEnvironment('EXTERNAL_URL', this.webUi.url);
    // Client RPCs (signal, stats, fs…): the API posts requests to a node's channel itself; the replies come back through the relay and the table.
    this.http.handler.addEnvironment('ACTIONS_CALLBACK_URL', this.actions.stage.callbackUrl);
    this.actions.api.grantManageConnections(this.http.handler);
    acknowledgeConnectionsGrant(this.http.handler, this.actions.api);
    const backgroundEnvironment = { ...environment, EXTERNAL_URL: this.webUi.url };
    this.actions.handler.addEnvironment('EXTERNAL_URL', this.webUi.url);
    this.worker = new EvalWorker(this, 'Worker', { stores: this.stores, environment: backgroundEnvironment });
    this.periodic = new PeriodicDuties(this, 'Periodic', { stores: this.stores, environment: backgroundEnvironment });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      api: this.http.api,
      functions: { api: this.http.handler, worker: this.worker.handler, periodic: this.periodic.handler, actions: this.actions.handler },
      evalQueue: this.stores.evalQueue,
      evalDeadLetterQueue: this.stores.evalDeadLetterQueue,
      alarmEmail: this.node.tryGetContext('alarmEmail') as string | undefined,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.http.url });
    new CfnOutput(this, 'PublicUrl', { value: this.webUi.url });
    new CfnOutput(this, 'WebUiUrl', { value: `${this.webUi.url}/ui/` });
    new CfnOutput(this, 'ActionsWebSocketUrl', { value: this.actions.url });
    new CfnOutput(this, 'TableName', { value: this.stores.table.tableName });
    new CfnOutput(this, 'EvalQueueUrl', { value: this.stores.evalQueue.queueUrl });
    new CfnOutput(this, 'BucketName', { value: this.stores.bucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.alarmTopic.topicArn });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${this.monitoring.dashboard.dashboardName}`,
    });
  }
}
