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

type Extra = Parameters<Logger['info']>[1][];

function correlated(extra: Extra): Extra {
  const id = correlation.getStore();
  return id === undefined ? extra : [...extra, { correlation_id: id }];
}

class CorrelatedLogger extends Logger {
  override debug(input: Parameters<Logger['debug']>[0], ...extra: Extra): void {
    super.debug(input, ...correlated(extra));
  }
  override info(input: Parameters<Logger['info']>[0], ...extra: Extra): void {
    super.info(input, ...correlated(extra));
  }
  override warn(input: Parameters<Logger['warn']>[0], ...extra: Extra): void {
    super.warn(input, ...correlated(extra));
  }
  override error(input: Parameters<Logger['error']>[0], ...extra: Extra): void {
    super.error(input, ...correlated(extra));
  }
  override critical(input: Parameters<Logger['critical']>[0], ...extra: Extra): void {
    super.critical(input, ...correlated(extra));
  }
}

export function serviceLogger(serviceName: string): Logger {
  return new CorrelatedLogger({ serviceName });
}
