import { rmSync } from 'node:fs';
import type { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_API_THROTTLE } from '../../infra/constructs/http-api';
import { WEBSOCKET_THROTTLE } from '../../infra/constructs/actions-websocket';
import { API_5XX_PERCENT_THRESHOLD } from '../../infra/constructs/monitoring';
import { JobplaneStack } from '../../infra/stack';
import { METRIC, METRICS_NAMESPACE } from '../../shared/observability/metrics-names';
import { appWithoutBundles, stackTemplate } from '../support/stack-template';

let app: App;
let stack: JobplaneStack;
let template: Template;
let resources: Record<string, any>;

const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
const propertiesOf = (construct: IConstruct) => resources[logicalId(construct)].Properties;

beforeAll(() => {
  ({ app, stack, template, resources } = stackTemplate());
}, 60_000);

afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));

describe('API stages', () => {
  it.each([
    ['HTTP API', () => stack.http.stage, HTTP_API_THROTTLE, ['method', 'path', 'status', 'responseLatency']],
    ['actions WebSocket API', () => stack.actions.stage, WEBSOCKET_THROTTLE, ['connectionId', 'eventType', 'routeKey', 'status']],
  ] as const)('%s: throttled and access-logged as JSON lines with the request id', (_name, stage, throttle, fields) => {
    const properties = propertiesOf(stage());
    expect(properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit });
    const format = JSON.parse(properties.AccessLogSettings.Format);
    expect(format.requestId).toBe('$context.requestId');
    for (const field of fields) expect(format[field], field).toMatch(/^\$context\./);
    const logGroupId = properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
  });

  it('gives each stage its own access log group', () => {
    const destinations = [stack.http.stage, stack.actions.stage].map((s) => propertiesOf(s).AccessLogSettings.DestinationArn['Fn::GetAtt'][0]);
    expect(new Set(destinations).size).toBe(2);
  });
});

describe('functions', () => {
  it('trace actively and publish metrics under the jobplane namespace', () => {
    for (const fn of [stack.http.handler, stack.worker.handler, stack.periodic.handler, stack.actions.handler]) {
      const properties = propertiesOf(fn);
      expect(properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
    }
  });
});

describe('alarms', () => {
  const alarm = (construct: IConstruct) => propertiesOf(construct);

  it('fires on any dead-lettered evaluation', () => {
    expect(alarm(stack.monitoring.alarms.evalDeadLetters)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.stores.evalDeadLetterQueue), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it.each([
    ['workerErrors', 'Errors', () => stack.worker.handler],
    ['workerThrottles', 'Throttles', () => stack.worker.handler],
    ['periodicErrors', 'Errors', () => stack.periodic.handler],
  ] as const)('%s: on any %s of its function', (name, metricName, fn) => {
    expect(alarm(stack.monitoring.alarms[name])).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      Dimensions: [{ Name: 'FunctionName', Value: ref(fn()) }],
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it('fires on the HTTP API 5xx rate, not its count', () => {
    const properties = alarm(stack.monitoring.alarms.api5xxRate);
    expect(properties.Threshold).toBe(API_5XX_PERCENT_THRESHOLD);
    const byId = Object.fromEntries(properties.Metrics.map((m: any) => [m.Id, m]));
    expect(byId.expr_1.Expression).toBe('IF(requests > 0, 100 * errors / requests, 0)');
    for (const [id, metricName] of [['errors', '5xx'], ['requests', 'Count']]) {
      expect(byId[id].MetricStat.Metric).toMatchObject({
        Namespace: 'AWS/ApiGateway',
        MetricName: metricName,
        Dimensions: [{ Name: 'ApiId', Value: ref(stack.http.api) }],
      });
      expect(byId[id].ReturnData).toBe(false);
    }
  });
});

describe('dashboard', () => {
  it('charts the requests, evaluations, queues and functions, and its URL is an output', () => {
    const body = JSON.stringify(propertiesOf(stack.monitoring.dashboard).DashboardBody);
    for (const name of Object.values(METRIC)) expect(body, name).toContain(name);
    for (const name of ['ApproximateAgeOfOldestMessage', 'Throttles', 'Errors', 'Duration', '5xx']) expect(body, name).toContain(name);
    const url = template.toJSON().Outputs.DashboardUrl.Value['Fn::Join'][1];
    expect(url).toEqual(['https://console.aws.amazon.com/cloudwatch/home?region=', { Ref: 'AWS::Region' }, '#dashboards/dashboard/', ref(stack.monitoring.dashboard)]);
    expect(propertiesOf(stack.monitoring.dashboard).DashboardName).toBe('Test-control-plane');
  });
});

describe('alarm notifications', () => {
  const topicRef = () => ref(stack.monitoring.alarmTopic);

  it('tell the alarm topic when each alarm fires and when it is OK again', () => {
    const alarms = Object.entries(stack.monitoring.alarms);
    expect(alarms.length).toBe(5);
    for (const [name, alarm] of alarms) {
      expect(propertiesOf(alarm).AlarmActions, name).toEqual([topicRef()]);
      expect(propertiesOf(alarm).OKActions, name).toEqual([topicRef()]);
    }
  });

  it('go to an encrypted, TLS-only topic whose key CloudWatch may use, and its ARN is an output', () => {
    const topic = propertiesOf(stack.monitoring.alarmTopic);
    const keyId = topic.KmsMasterKeyId['Fn::GetAtt'][0];
    expect(resources[keyId]).toMatchObject({ Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } });
    const keyStatements = resources[keyId].Properties.KeyPolicy.Statement;
    expect(keyStatements).toContainEqual(expect.objectContaining({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    }));
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).filter((p: any) =>
      JSON.stringify(p.Properties.Topics) === JSON.stringify([topicRef()]));
    expect(policies).toHaveLength(1);
    expect((policies[0] as any).Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
    expect(template.toJSON().Outputs.AlarmTopicArn.Value).toEqual(topicRef());
  });

  it('mail nobody unless an address is given, then that address', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const mailing = appWithoutBundles({ alarmEmail: 'ops@example.com' });
    try {
      const other = new JobplaneStack(mailing, 'Mailing');
      const subscriptions = Template.fromStack(other).findResources('AWS::SNS::Subscription');
      expect(Object.values(subscriptions).map((s: any) => s.Properties)).toEqual([{
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: { Ref: other.getLogicalId(other.monitoring.alarmTopic.node.defaultChild as CfnElement) },
      }]);
    } finally {
      rmSync(mailing.outdir, { recursive: true, force: true });
    }
  });
});
