import type { Tracer } from '@aws-lambda-powertools/tracer';
import { tracingEnabled } from '../config';

/**
 * X-Ray tracing of the functions (Powertools Tracer): each invocation is a `## <service>`
 * subsegment of Lambda's own segment, annotated with cold start and service, errors attached, and
 * every AWS SDK call beneath it. The Tracer and the X-Ray SDK under it are loaded on the first
 * traced invocation, and only on Lambda, so a cold start that does not trace never pays for them
 * and `npm start` never loads them at all.
 */
let tracer: Tracer | undefined;
let loading: Promise<Tracer | undefined> | undefined;

async function loadTracer(serviceName: string): Promise<Tracer | undefined> {
  if (!tracingEnabled()) return undefined;
  loading ??= import('@aws-lambda-powertools/tracer').then(({ Tracer }) => {
    // Responses are not recorded: they carry tokens, variables and logs.
    tracer = new Tracer({ serviceName });
    return tracer;
  });
  return loading;
}

/** The handler, traced when tracing is on (otherwise the handler itself, untouched). */
export function traced<A extends unknown[], R>(serviceName: string, handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    const active = await loadTracer(serviceName);
    const segment = active?.getSegment();
    if (!active || !segment) return handler(...args);
    const subsegment = segment.addNewSubsegment(`## ${serviceName}`);
    active.setSegment(subsegment);
    active.annotateColdStart();
    active.addServiceNameAnnotation();
    try {
      return await handler(...args);
    } catch (error) {
      active.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      subsegment.close();
      active.setSegment(segment);
    }
  };
}

/**
 * A part of an invocation as a subsegment of its own (`### <name>`), annotated so that X-Ray
 * finds its traces by those values (an evaluation's ID, its job); just the work when tracing is off.
 * Each runs in its own trace context, so parts running side by side keep their SDK calls apart.
 */
export async function tracedSpan<T>(name: string, annotations: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const active = tracer;
  if (!active || !tracingEnabled()) return run();
  return (await active.provider.captureAsyncFunc(`### ${name}`, async (subsegment) => {
    for (const [key, value] of Object.entries(annotations)) subsegment?.addAnnotation(key, value);
    try {
      return await run();
    } catch (error) {
      active.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      subsegment?.close();
    }
  })) as T;
}

/**
 * An AWS SDK v3 client whose calls show as subsegments when tracing is on. Clients are made on
 * first use, inside a traced invocation, so the Tracer is loaded by then.
 */
export function tracedClient<T>(client: T): T {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
