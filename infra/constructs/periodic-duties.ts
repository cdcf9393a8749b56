import { Duration, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { serviceFunction, type EntryPointProps } from './service-function';
import { acknowledgeBucketGrants, acknowledgeFunctionGrants } from './nag-acknowledgements';

/** Once-a-minute housekeeping: periodic job dispatch, garbage collection, the artifacts sweeper. */
export class PeriodicDuties extends Construct {
  readonly handler: NodejsFunction;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: EntryPointProps) {
    super(scope, id);

    this.handler = serviceFunction(this, 'Handler', {
      entry: 'periodic',
      description: 'jobplane periodic duties (every minute)',
      // Below the one-minute rate, so runs do not pile up on each other.
      timeout: Duration.seconds(50),
      memorySize: 512,
      environment: props.environment,
      // A failed run is not retried: the next tick, a minute later, does the same work.
      retryAttempts: 0,
    });

    this.schedule = new Rule(this, 'EveryMinute', {
      description: 'Runs the jobplane periodic duties',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.handler)],
    });

    const { table, evalQueue, wakeQueue, bucket } = props.stores;
    table.grantReadWriteData(this.handler);
    evalQueue.grantSendMessages(this.handler);
    wakeQueue.grantSendMessages(this.handler);
    bucket.grantRead(this.handler);
    bucket.grantDelete(this.handler);
    Grant.addToPrincipal({
      grantee: this.handler,
      actions: ['s3:PutObjectTagging'],
      resourceArns: [bucket.arnForObjects('*')],
    });

    acknowledgeFunctionGrants(this.handler, table);
    acknowledgeBucketGrants(this.handler, bucket, ['s3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*']);
    const nextTick = 'The scheduled event carries no data and the next tick, a minute later, redoes the same work from the table; failures show in the Errors alarm.';
    Validations.of(this.handler).acknowledge(
      { id: 'Serverless-LambdaDLQ', reason: nextTick },
      { id: 'Serverless-LambdaAsyncFailureDestination', reason: nextTick },
    );
    Validations.of(this.schedule).acknowledge({ id: 'Serverless-EventBusDLQ', reason: nextTick });
  }
}
