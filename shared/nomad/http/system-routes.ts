import type { Hono } from 'hono';
import { requireManagement } from '../acl/guard';
import { reconcileSummaries } from '../services/reconcile-summaries';
import { collectGarbage } from '../services/system-gc';
import { methodNotAllowed } from '../errors';

/** `PUT /v1/system/gc` and `PUT /v1/system/reconcile/summaries` (management; PUT only, as in Nomad). */
export function mountSystemRoutes(app: Hono): void {
  app.put('/v1/system/gc', async (c) => {
    await requireManagement(c);
    await collectGarbage();
    return c.body(null, 200);
  });
  app.put('/v1/system/reconcile/summaries', async (c) => {
    await requireManagement(c);
    await reconcileSummaries();
    return c.body(null, 200);
  });
  for (const path of ['/v1/system/gc', '/v1/system/reconcile/summaries']) {
    app.all(path, () => {
      throw methodNotAllowed();
    });
  }
}
