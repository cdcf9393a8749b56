import type { Context, Hono } from 'hono';
import * as z from '../../util/zod';
import { permissionDenied, requireManagement, resolveRequest } from '../acl/guard';
import { removeNamespace, upsertNamespace } from '../services/namespaces';
import { listNamespaces, readNamespace } from '../store/namespaces';
import { namespaceWire } from '../wire/namespace';
import { blockingJson } from './blocking';
import { nomadBody } from './body';
import { badRequest, notFound } from '../errors';
import { setIndex } from './respond';

/** Nomad's namespace endpoints. Reading needs some capability in the namespace; writing a management token. */
export const NamespaceBody = z
  .object({
    Name: z.string().optional(),
    Description: z.string().optional(),
    Quota: z.string().optional(),
    Meta: z.record(z.string(), z.string()).nullish(),
    Capabilities: z.any().optional(),
    NodePoolConfiguration: z.any().optional(),
  })
  .passthrough();

async function writeNamespace(c: Context, pathName?: string) {
  await requireManagement(c);
  const body = await nomadBody(c, NamespaceBody);
  if (pathName !== undefined && body.Name && body.Name !== pathName) throw badRequest('Namespace name does not match request path');
  const index = await upsertNamespace({ ...body, Name: pathName ?? body.Name });
  setIndex(c, index);
  return c.body(null, 200);
}

export function mountNamespaceRoutes(app: Hono): void {
  app.get('/v1/namespaces', async (c) => {
    const { acl } = await resolveRequest(c);
    return blockingJson(c, async () => {
      const namespaces = (await listNamespaces(c.req.query('prefix') ?? '')).filter((namespace) => acl.allowNamespaceAny(namespace.Name));
      return { index: namespaces.reduce((max, namespace) => Math.max(max, namespace.ModifyIndex), 1), body: namespaces.map(namespaceWire) };
    });
  });

  app.get('/v1/namespace/:name', async (c) => {
    const name = c.req.param('name');
    const { acl } = await resolveRequest(c);
    if (!acl.allowNamespaceAny(name)) throw permissionDenied();
    return blockingJson(c, async () => {
      const namespace = await readNamespace(name);
      if (!namespace) throw notFound('Namespace not found');
      return { index: namespace.ModifyIndex, body: namespaceWire(namespace) };
    });
  });

  app.on(['PUT', 'POST'], '/v1/namespace', (c) => writeNamespace(c));
  app.on(['PUT', 'POST'], '/v1/namespace/:name', (c) => writeNamespace(c, c.req.param('name')));

  app.delete('/v1/namespace/:name', async (c) => {
    await requireManagement(c);
    const index = await removeNamespace(c.req.param('name'));
    setIndex(c, index);
    return c.body(null, 200);
  });
}
