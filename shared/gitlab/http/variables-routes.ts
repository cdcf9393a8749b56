import * as z from '../../util/zod';
import { variableEntity } from '../entities/variable';
import { changeVariable, createVariable, findVariable, removeVariable, type VariableInput } from '../services/project-variables';
import { changeInstanceVariable, createInstanceVariable, findInstanceVariable, removeInstanceVariable } from '../services/instance-variables';
import { listInstanceVariables } from '../store/instance-variables';
import { listProjectVariables } from '../store/project-variables';
import * as grape from './grape';
import { pageRequest, paginationParams, setOffsetHeaders } from './pagination';
import { adminOnly, authenticated, authorize, findProject } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams, queryParams } from './validators';

/** Project CI/CD variables (`lib/api/ci/variables.rb`, maintainers) and instance ones (`lib/api/admin/ci/variables.rb`, administrators). */
const attributes = {
  value: grape.string().optional(),
  variable_type: grape.values(['env_var', 'file']).optional(),
  protected: grape.boolean().optional(),
  masked: grape.boolean().optional(),
  raw: grape.boolean().optional(),
  environment_scope: grape.string().optional(),
  description: grape.string().optional(),
};

function input(fields: { [K in keyof typeof attributes]?: z.infer<(typeof attributes)[K]> }): VariableInput {
  return {
    value: fields.value,
    variableType: fields.variable_type,
    protected: fields.protected,
    masked: fields.masked,
    raw: fields.raw,
    environmentScope: fields.environment_scope,
    description: fields.description,
  };
}

const filter = z.object({ environment_scope: grape.string().optional() }).optional();

const keyPath = pathParams({ key: z.string() });

const list = handlers(authenticated({ required: true }), queryParams(z.object(paginationParams)), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_build');
  const page = pageRequest(c.req.valid('query'));
  const all = await listProjectVariables(access.project.id);
  setOffsetHeaders(c, page, { hasMore: all.length > page.offset + page.perPage, total: all.length });
  return c.json(all.slice(page.offset, page.offset + page.perPage).map(variableEntity));
});

const show = handlers(authenticated({ required: true }), keyPath, queryParams(z.object({ filter })), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_build');
  return c.json(variableEntity(await findVariable(access.project.id, c.req.valid('param').key, c.req.valid('query').filter?.environment_scope)));
});

export const createParams = z.object({ key: grape.string(), ...attributes, value: grape.string(), masked_and_hidden: grape.boolean().optional() });

const create = handlers(authenticated({ required: true }), params(createParams), async (c) => {
  const { key, masked_and_hidden: maskedAndHidden, ...fields } = c.var.params;
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_build');
  const hiding = maskedAndHidden ? { masked: true, hidden: true } : {};
  const variable = await createVariable(access.project.id, key, { ...input(fields), value: fields.value, ...hiding });
  return c.json(variableEntity(variable), 201);
});

export const updateParams = z.object({ ...attributes, filter });

const update = handlers(authenticated({ required: true }), keyPath, params(updateParams), async (c) => {
  const { filter: scope, ...fields } = c.var.params;
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_build');
  const existing = await findVariable(access.project.id, c.req.valid('param').key, scope?.environment_scope);
  return c.json(variableEntity(await changeVariable(existing, input(fields))));
});

const remove = handlers(authenticated({ required: true }), keyPath, params(z.object({ filter })), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_build');
  await removeVariable(await findVariable(access.project.id, c.req.valid('param').key, c.var.params.filter?.environment_scope));
  return c.body(null, 204);
});

/** Instance variables have no environment scope. */
const { environment_scope: _scope, ...instanceAttributes } = attributes;

const listInstance = handlers(authenticated({ required: true }), adminOnly, queryParams(z.object(paginationParams)), async (c) => {
  const page = pageRequest(c.req.valid('query'));
  const all = await listInstanceVariables();
  setOffsetHeaders(c, page, { hasMore: all.length > page.offset + page.perPage, total: all.length });
  return c.json(all.slice(page.offset, page.offset + page.perPage).map(variableEntity));
});

const showInstance = handlers(authenticated({ required: true }), adminOnly, keyPath, async (c) => c.json(variableEntity(await findInstanceVariable(c.req.valid('param').key))));

const createInstance = handlers(
  authenticated({ required: true }),
  adminOnly,
  params(z.object({ key: grape.string(), ...instanceAttributes, value: grape.string(), masked_and_hidden: grape.boolean().optional() })),
  async (c) => {
    const { key, masked_and_hidden: maskedAndHidden, ...fields } = c.var.params;
    const hiding = maskedAndHidden ? { masked: true, hidden: true } : {};
    return c.json(variableEntity(await createInstanceVariable(key, { ...input(fields), value: fields.value, ...hiding })), 201);
  },
);

const updateInstance = handlers(authenticated({ required: true }), adminOnly, keyPath, params(z.object(instanceAttributes)), async (c) => {
  const existing = await findInstanceVariable(c.req.valid('param').key);
  return c.json(variableEntity(await changeInstanceVariable(existing, input(c.var.params))));
});

const removeInstance = handlers(authenticated({ required: true }), adminOnly, keyPath, async (c) => {
  await removeInstanceVariable(await findInstanceVariable(c.req.valid('param').key));
  return c.body(null, 204);
});

export function mountVariablesRoutes(api: GitLabApi): void {
  api.get('/projects/:id/variables', ...list);
  api.post('/projects/:id/variables', ...create);
  api.get('/projects/:id/variables/:key', ...show);
  api.put('/projects/:id/variables/:key', ...update);
  api.delete('/projects/:id/variables/:key', ...remove);
  api.get('/admin/ci/variables', ...listInstance);
  api.post('/admin/ci/variables', ...createInstance);
  api.get('/admin/ci/variables/:key', ...showInstance);
  api.put('/admin/ci/variables/:key', ...updateInstance);
  api.delete('/admin/ci/variables/:key', ...removeInstance);
}
