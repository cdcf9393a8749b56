import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../../shared/observability/metrics-names';

export interface MonitoringProps {
  api: HttpApi;
  functions: { api: IFunction; worker: IFunction; periodic: IFunction; actions: IFunction };
  evalQueue: Queue;
  evalDeadLetterQueue: Queue;
  /** Where the alarm topic mails its notifications (`cdk deploy -c alarmEmail=…`); none without it. */
  alarmEmail?: string;
}

/** Share of HTTP API answers that are 5xx, in percent, above which the API alarms. */
export const API_5XX_PERCENT_THRESHOLD = 5;

const FIVE_MINUTES = Duration.minutes(5);

/** The stack reporting on itself: alarms on what needs an operator, and one dashboard. */
export class Monitoring extends Construct {
  readonly alarms: {
    evalDeadLetters: Alarm;
    workerErrors: Alarm;
    workerThrottles: Alarm;
    periodicErrors: Alarm;
    api5xxRate: Alarm;
  };
  readonly dashboard: Dashboard;
  /** Every alarm's state changes (into ALARM and back to OK) are published here. */
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { api, functions, evalQueue, evalDeadLetterQueue } = props;

    // CloudWatch publishes to an encrypted topic only with a customer managed key it may use.
    const topicKey = new Key(this, 'AlarmTopicKey', {
      description: 'jobplane: encrypts the alarm notification topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    topicKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'jobplane alarms',
      masterKey: topicKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    const api5xxRate = new MathExpression({
      label: '5xx %',
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { errors: api.metricServerError({ period: FIVE_MINUTES }), requests: api.metricCount({ period: FIVE_MINUTES }) },
      period: FIVE_MINUTES,
    });

    const atLeastOnce = (alarmId: string, metric: IMetric, description: string) =>
      new Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });

    this.alarms = {
      evalDeadLetters: atLeastOnce(
        'EvalDeadLetters',
        evalDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        'Evaluations failed every delivery and wait in the dead-letter queue: their jobs are not being scheduled.',
      ),
      workerErrors: atLeastOnce(
        'WorkerErrors',
        functions.worker.metricErrors({ period: FIVE_MINUTES }),
        'The evaluation worker failed invocations (whole batches); see its log group.',
      ),
      workerThrottles: atLeastOnce(
        'WorkerThrottles',
        functions.worker.metricThrottles({ period: FIVE_MINUTES }),
        'The evaluation worker was throttled: the account or its reserved concurrency is exhausted and evaluations wait.',
      ),
      periodicErrors: atLeastOnce(
        'PeriodicErrors',
        functions.periodic.metricErrors({ period: FIVE_MINUTES }),
        'The periodic duties (periodic jobs, garbage collection, artifact expiry) failed a run.',
      ),
      api5xxRate: new Alarm(this, 'Api5xxRate', {
        metric: api5xxRate,
        threshold: API_5XX_PERCENT_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `More than ${API_5XX_PERCENT_THRESHOLD}% of HTTP API answers were 5xx in two of the last three 5-minute periods.`,
      }),
    };

    const notify = new SnsAction(this.alarmTopic);
    for (const alarm of Object.values(this.alarms)) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }

    const custom = (metricName: string, service: string, statistic: string, label?: string) =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service }, statistic, period: FIVE_MINUTES, label });
    const perFunction = (metric: (fn: IFunction) => Metric) =>
      Object.entries(functions).map(([name, fn]) => metric(fn).with({ label: name, period: FIVE_MINUTES }));
    const region = Stack.of(this).region;

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-control-plane`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'HTTP API requests by dialect and status',
        left: [
          new MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},dialect,route,service,status} MetricName="${METRIC.requests}"', 'Sum', 300)`,
            label: '',
            period: FIVE_MINUTES,
            searchRegion: region,
          }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'HTTP API 5xx % and latency',
        left: [api5xxRate],
        right: [api.metricLatency({ period: FIVE_MINUTES, statistic: 'p95', label: 'p95 latency' })],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Evaluations',
        left: [custom(METRIC.evaluationLatency, METRICS_SERVICE.worker, 'p95', 'evaluation latency p95 (ms)'), custom(METRIC.queueAge, METRICS_SERVICE.worker, 'Maximum', 'queue age max (ms)')],
        right: [custom(METRIC.placements, METRICS_SERVICE.worker, 'Sum', 'placements'), custom(METRIC.blockedEvaluations, METRICS_SERVICE.worker, 'Sum', 'blocked evaluations')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Evaluation queues',
        left: [
          evalQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, label: 'queued' }),
          evalDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, label: 'dead letters' }),
        ],
        right: [evalQueue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, label: 'oldest (s)' })],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Lambda errors', left: perFunction((fn) => fn.metricErrors()), width: 8 }),
      new GraphWidget({ title: 'Lambda throttles', left: perFunction((fn) => fn.metricThrottles()), width: 8 }),
      new GraphWidget({ title: 'Lambda duration p95 (ms)', left: perFunction((fn) => fn.metricDuration({ statistic: 'p95' })), width: 8 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'GitLab runner job wait (ms)',
        left: [custom(METRIC.runnerJobWait, METRICS_SERVICE.api, 'p50', 'p50'), custom(METRIC.runnerJobWait, METRICS_SERVICE.api, 'p95', 'p95')],
        width: 12,
      }),
    );
  }
}
