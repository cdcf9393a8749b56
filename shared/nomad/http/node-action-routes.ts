import type { Hono } from 'hono';
import { requireNode } from '../acl/guard';
import { evaluateNode, purgeNode } from '../services/node-actions';
import { addressText, serverAddress } from '../services/server-identity';
import { nodeUpdateResponse } from '../wire/node-update-response';
import { methodNotAllowed } from '../errors';
import { nomadJson, setIndex } from './respond';

/** `PUT|POST /v1/node/:id/evaluate` and `/purge` (node:write); other methods are 405. */
export function mountNodeActionRoutes(app: Hono): void {
  for (const [action, run] of [
    ['evaluate', evaluateNode],
    ['purge', purgeNode],
  ] as const) {
    app.on(['PUT', 'POST'], `/v1/node/:node_id/${action}`, async (c) => {
      await requireNode(c, 'write');
      const result = await run(c.req.param('node_id'));
      setIndex(c, result.index);
      return nomadJson(c, nodeUpdateResponse(result, addressText(serverAddress(c.req.url))));
    });
    app.all(`/v1/node/:node_id/${action}`, () => {
      throw methodNotAllowed();
    });
  }
}
