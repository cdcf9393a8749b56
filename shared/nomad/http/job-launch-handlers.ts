import type { Context } from 'hono';
import * as z from '../../util/zod';
import { requireNamespace } from '../acl/guard';
import { forcePeriodicLaunch } from '../services/periodic-launch';
import { dispatchJob } from '../services/dispatch-job';
import { jobDispatchResponse } from '../wire/job-dispatch-response';
import { periodicForceResponse } from '../wire/periodic-force-response';
import { optionalNomadBody } from './body';
import { badRequest } from '../errors';
import type { JobPath } from './job-path';
import { namespaceParam } from './params';
import { nomadJson, setIndex } from './respond';

/** Children of template jobs: dispatching a parameterized job, forcing a periodic launch. */
export const DispatchBody = z
  .object({
    JobID: z.string().optional(),
    Payload: z.string().nullish(),
    Meta: z.record(z.string(), z.string()).nullish(),
    IdPrefixTemplate: z.string().optional(),
    Priority: z.number().int().optional(),
  })
  .passthrough();
const JOB_DISPATCH_REQUEST = { name: 'JobDispatchRequest', integers: { Priority: 'int' } } as const;

const ALPHABET = /[A-Za-z0-9+/]/;

/** Where Go's base64.StdEncoding rejects a payload (`illegal base64 data at input byte N`), or -1. */
export function base64ErrorOffset(text: string): number {
  let si = 0;
  while (si < text.length) {
    for (let j = 0; j < 4; j++) {
      if (si === text.length) return j === 0 ? -1 : si - j;
      const char = text[si++];
      if (ALPHABET.test(char)) continue;
      if (char === '\n' || char === '\r') {
        j--;
        continue;
      }
      if (char !== '=' || j < 2) return si - 1;
      if (j === 2) {
        while (text[si] === '\n' || text[si] === '\r') si++;
        if (si === text.length) return text.length;
        if (text[si] !== '=') return si - 1;
        si++;
      }
      while (text[si] === '\n' || text[si] === '\r') si++;
      return si < text.length ? si : -1;
    }
  }
  return -1;
}

export async function dispatchHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const body = await optionalNomadBody(c, DispatchBody, {}, JOB_DISPATCH_REQUEST);
  if (body.JobID && body.JobID !== jobId) throw badRequest('Job ID does not match');
  const badByte = body.Payload ? base64ErrorOffset(body.Payload) : -1;
  if (badByte >= 0) throw badRequest(`illegal base64 data at input byte ${badByte}`);
  if (body.Priority !== undefined && body.Priority !== 0 && (body.Priority < 1 || body.Priority > 100)) {
    throw badRequest('job priority must be between [1, 100]');
  }
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'dispatch-job');
  const result = await dispatchJob({
    namespace,
    jobId,
    payload: body.Payload ?? undefined,
    meta: body.Meta,
    idPrefixTemplate: body.IdPrefixTemplate,
    priority: body.Priority,
    idempotencyToken: c.req.query('idempotency_token') || undefined,
  });
  setIndex(c, result.index);
  return nomadJson(c, jobDispatchResponse(result));
}

export async function periodicForceHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'dispatch-job', 'submit-job', 'force-periodic-job');
  const result = await forcePeriodicLaunch(namespace, jobId);
  setIndex(c, result.index);
  return nomadJson(c, periodicForceResponse(result));
}
