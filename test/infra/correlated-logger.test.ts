import { afterEach, describe, expect, it, vi } from 'vitest';
import { serviceLogger, withCorrelationId } from '../../shared/observability/logger';

/** The JSON lines a logger writes, in order (Powertools writes warnings and errors to stderr). */
function linesOf(run: () => Promise<void> | void): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const write = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(write), vi.spyOn(process.stderr, 'write').mockImplementation(write)];
  return Promise.resolve(run())
    .finally(() => spies.forEach((spy) => spy.mockRestore()))
    .then(() => written.join('').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)));
}

afterEach(() => vi.restoreAllMocks());

describe('service loggers', () => {
  it('add the correlation id in hand to every line, and none outside', async () => {
    const logger = serviceLogger('placement-worker');
    logger.setLogLevel('DEBUG');
    const lines = await linesOf(async () => {
      logger.info('before');
      await withCorrelationId('eval-1', async () => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        logger.debug('debug', { a: 1 });
        logger.info('info');
        logger.warn('warn', { b: 2 });
        logger.error('error', { error: new Error('boom') });
      });
    });
    expect(lines.map((line) => [line.message, line.correlation_id])).toEqual([
      ['before', undefined],
      ['debug', 'eval-1'],
      ['info', 'eval-1'],
      ['warn', 'eval-1'],
      ['error', 'eval-1'],
    ]);
    expect(lines[1]).toMatchObject({ service: 'placement-worker', a: 1 });
    expect(lines[3]).toMatchObject({ b: 2 });
  });
});
