import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** How cdk-nag names a resource inside a finding: its logical id. */
const logicalId = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

/**
 * cdk-nag findings every service function shares, acknowledged with their reasons: the grants
 * CDK writes for logging, tracing and the table's indexes.
 */
export function acknowledgeFunctionGrants(fn: IConstruct, table: IConstruct): void {
  Validations.of(fn).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The AWS managed basic execution policy only lets the function write its own CloudWatch logs.',
    },
    { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray accepts trace segments only on Resource "*" (xray:PutTraceSegments, xray:PutTelemetryRecords).' },
    {
      id: `AwsSolutions-IAM5[Resource::<${logicalId(table)}.Arn>/index/*]`,
      reason: 'The single-table design queries every global secondary index of the one table; the wildcard covers that table\'s indexes only.',
    },
  );
}

/** The S3 grants CDK expands to action wildcards (`s3:GetObject*`…) on the data bucket's objects. */
export function acknowledgeBucketGrants(fn: IConstruct, bucket: IConstruct, actions: string[]): void {
  const reason = 'CDK\'s bucket grants (grantRead/grantReadWrite/grantDelete) expand to these wildcards, limited to the one data bucket and its objects.';
  Validations.of(fn).acknowledge(
    { id: `AwsSolutions-IAM5[Resource::<${logicalId(bucket)}.Arn>/*]`, reason },
    ...actions.map((action) => ({ id: `AwsSolutions-IAM5[Action::${action}]`, reason })),
  );
}

/** `grantManageConnections` on a WebSocket API: any connection of that one API. */
export function acknowledgeConnectionsGrant(fn: IConstruct, api: IConstruct): void {
  Validations.of(fn).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${logicalId(api)}>/*/*/@connections/*]`,
    reason: 'Connections are made at run time; the grant is limited to the @connections of the one actions WebSocket API.',
  });
}
