import type { Hono } from 'hono';
import { requireNamespace } from '../acl/guard';
import { relatedEvals } from '../services/related-evals';
import { stopAlloc } from '../services/stop-alloc';
import { findAlloc, readJobAllocs, withJobs } from '../store/allocs';
import { findEval } from '../store/evals';
import { readJob } from '../store/jobs';
import { allocListStub } from '../wire/alloc-list-stub';
import { allocStopResponse } from '../wire/alloc-stop-response';
import { evaluationWire, evaluationWithRelated } from '../wire/evaluation';
import { blockingJson, blockingQuery } from './blocking';
import { notFound } from '../errors';
import { nomadJson, setIndex, setQueryMeta } from './respond';

/**
 * `GET /v1/evaluation/:id`, `GET /v1/evaluation/:id/allocations`, `GET /v1/allocation/:id` and
 * `PUT /v1/allocation/:id/stop`. Reads need `read-job` in the object's namespace (checked as soon
 * as it is read, before a blocking query waits); stopping an allocation needs `alloc-lifecycle`.
 */
export function mountEvalAllocRoutes(app: Hono): void {
  app.get('/v1/evaluation/:eval_id/allocations', async (c) => {
    const evaluation = await findEval(c.req.param('eval_id'));
    await requireNamespace(c, evaluation?.Namespace ?? (c.req.query('namespace') || 'default'), 'read-job');
    return blockingJson(c, async () => {
      if (!evaluation) return { index: 0, body: [] as ReturnType<typeof allocListStub>[] };
      const [allocs, record] = await Promise.all([readJobAllocs(evaluation.Namespace, evaluation.JobID), readJob(evaluation.Namespace, evaluation.JobID)]);
      const mine = allocs.filter((stored) => stored.alloc.EvalID === evaluation.ID);
      const index = mine.reduce((max, stored) => Math.max(max, stored.alloc.ModifyIndex), evaluation.ModifyIndex);
      return { index, body: mine.map((stored) => allocListStub(stored, record?.job.Type ?? evaluation.Type)) };
    });
  });

  app.get('/v1/evaluation/:eval_id', async (c) => {
    return blockingJson(c, async () => {
      const evaluation = await findEval(c.req.param('eval_id'));
      if (!evaluation) throw notFound('eval not found');
      await requireNamespace(c, evaluation.Namespace, 'read-job');
      if (c.req.query('related') !== 'true') return { index: evaluation.ModifyIndex, body: evaluationWire(evaluation) };
      return { index: evaluation.ModifyIndex, body: evaluationWithRelated(evaluation, await relatedEvals(evaluation)) };
    });
  });

  app.on(['PUT', 'POST'], '/v1/allocation/:alloc_id/stop', async (c) => {
    const stored = await findAlloc(c.req.param('alloc_id'));
    if (!stored) throw notFound('alloc not found');
    await requireNamespace(c, stored.alloc.Namespace, 'alloc-lifecycle');
    const result = await stopAlloc(stored);
    setIndex(c, result.index);
    return nomadJson(c, allocStopResponse(result.evaluation, result.index));
  });

  app.get('/v1/allocation/:alloc_id', async (c) => {
    const result = await blockingQuery(c, async () => {
      const stored = await findAlloc(c.req.param('alloc_id'));
      if (!stored) throw notFound('alloc not found');
      await requireNamespace(c, stored.alloc.Namespace, 'read-job');
      return { index: stored.alloc.ModifyIndex, body: stored };
    });
    setQueryMeta(c, result.index);
    const [alloc] = await withJobs([result.body]);
    return nomadJson(c, alloc);
  });
}
