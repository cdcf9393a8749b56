import type { Context } from 'hono';
import * as z from '../../util/zod';
import { requireNamespace } from '../acl/guard';
import { parseJob } from '../services/parse-job';
import { nomadBody } from './body';
import { namespaceParam } from './params';
import { nomadJson } from './respond';

/** `POST /v1/jobs/parse`. */
export const ParseBody = z
  .object({
    JobHCL: z.string().optional(),
    Canonicalize: z.boolean().optional(),
    Variables: z.string().optional(),
    VariableFlags: z.record(z.string(), z.string()).nullish(),
    HCLv1: z.boolean().optional(),
  })
  .passthrough();

export async function handleParseJob(c: Context): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'parse-job', 'submit-job');
  const body = await nomadBody(c, ParseBody);
  const job = await parseJob({
    hcl: body.JobHCL ?? '',
    canonicalize: body.Canonicalize ?? false,
    variables: body.Variables,
    variableFlags: body.VariableFlags ?? {},
    namespace,
  });
  return nomadJson(c, job);
}
