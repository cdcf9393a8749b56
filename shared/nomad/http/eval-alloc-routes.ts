import type { Hono } from 'hono';
import { findAlloc, withJobs } from '../store/allocs';
import { findEval } from '../store/evals';
import { evaluationWire } from '../wire/evaluation';
import { blockingQuery } from './blocking';
import { notFound } from './errors';
import { nomadJson, setQueryMeta } from './respond';

/** `GET /v1/evaluation/:id` and `GET /v1/allocation/:id`. */
export function mountEvalAllocRoutes(app: Hono): void {
  app.get('/v1/evaluation/:eval_id', async (c) => {
    const result = await blockingQuery(c, async () => {
      const evaluation = await findEval(c.req.param('eval_id'));
      if (!evaluation) throw notFound('eval not found');
      return { index: evaluation.ModifyIndex, body: evaluationWire(evaluation) };
    });
    setQueryMeta(c, result.index);
    return nomadJson(c, result.body);
  });

  app.get('/v1/allocation/:alloc_id', async (c) => {
    const result = await blockingQuery(c, async () => {
      const stored = await findAlloc(c.req.param('alloc_id'));
      if (!stored) throw notFound('alloc not found');
      return { index: stored.alloc.ModifyIndex, body: stored };
    });
    setQueryMeta(c, result.index);
    const [alloc] = await withJobs([result.body]);
    return nomadJson(c, alloc);
  });
}
