import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Loggers whose every line carries the correlation id of the work in hand: the request's
 * `X-Request-Id` in the API, the evaluation's id in the worker, the invocation's id in the
 * periodic duties. The id travels with the async context, so code deep in a service logs it
 * without being handed it.
 */
const correlation = new AsyncLocalStorage<string>();

export function withCorrelationId<T>(id: string, run: () => T): T {
  return correlation.run(id, run);
}

export function correlationId(): string | undefined {
  return correlation.getStore();
}

type Input = Parameters<Logger['info']>[0];
type Extra = unknown[];
type LogMethod = (this: Logger, input: Input, ...extra: Extra) => void;

function correlated(extra: Extra): Extra {
  const id = correlation.getStore();
  return id === undefined ? extra : [...extra, { correlation_id: id }];
}

class CorrelatedLogger extends Logger {
  override debug(input: Input, ...extra: Extra): void {
    (super.debug as LogMethod).call(this, input, ...correlated(extra));
  }
  override info(input: Input, ...extra: Extra): void {
    (super.info as LogMethod).call(this, input, ...correlated(extra));
  }
  override warn(input: Input, ...extra: Extra): void {
    (super.warn as LogMethod).call(this, input, ...correlated(extra));
  }
  override error(input: Input, ...extra: Extra): void {
    (super.error as LogMethod).call(this, input, ...correlated(extra));
  }
  override critical(input: Input, ...extra: Extra): void {
    (super.critical as LogMethod).call(this, input, ...correlated(extra));
  }
}

export function serviceLogger(serviceName: string): Logger {
  return new CorrelatedLogger({ serviceName });
}
