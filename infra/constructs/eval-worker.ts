import { Duration, Validations } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { wakeConcurrency, workerConcurrency } from '../../shared/config';
import { EVAL_VISIBILITY_TIMEOUT_SECONDS } from '../../shared/storage/table-schema';
import { serviceFunction, type EntryPointProps } from './service-function';
import { acknowledgeFunctionGrants } from './nag-acknowledgements';

/** The placement worker draining the evaluation queue and, in its own lane, the wake queue, in batches. */
export class EvalWorker extends Construct {
  readonly handler: NodejsFunction;

  constructor(scope: Construct, id: string, props: EntryPointProps) {
    super(scope, id);

    this.handler = serviceFunction(this, 'Handler', {
      entry: 'worker',
      description: 'jobplane evaluation worker (SQS FIFO batches)',
      // Finish well inside the visibility timeout so a batch is never redelivered while still running.
      timeout: Duration.seconds(EVAL_VISIBILITY_TIMEOUT_SECONDS - 10),
      memorySize: 1024,
      environment: props.environment,
      // One invocation per message group at a time, at most this many groups at once (the local worker runs the same
      // numbers): fresh evaluations' lane plus the wake queue's, so wakes never take a slot fresh work needs.
      reservedConcurrentExecutions: workerConcurrency() + wakeConcurrency(),
    });

    this.handler.addEventSource(
      // The event source's own bound, equal to the reservation, keeps it from being throttled by it.
      new SqsEventSource(props.stores.evalQueue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: workerConcurrency() }),
    );
    this.handler.addEventSource(
      new SqsEventSource(props.stores.wakeQueue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: wakeConcurrency() }),
    );
    props.stores.table.grantReadWriteData(this.handler);
    // Follow-up evaluations (blocked evals, rescheduling) go back onto the same queue.
    props.stores.evalQueue.grantSendMessages(this.handler);
    props.stores.wakeQueue.grantSendMessages(this.handler);

    acknowledgeFunctionGrants(this.handler, props.stores.table);
    const redrive = 'Failed evaluations go to the evaluation queue\'s own dead-letter queue (redrive policy, alarmed on its depth); SQS event sources take no Lambda DLQ or on-failure destination.';
    Validations.of(this.handler).acknowledge(
      { id: 'Serverless-LambdaDLQ', reason: redrive },
      { id: 'Serverless-LambdaEventSourceMappingDestination', reason: redrive },
    );
  }
}
