import { Hono } from 'hono';
import type { RouteGroup } from '../../http/lazy-dialect';
import { nomadErrorResponse } from './error-response';

/**
 * Nomad's HTTP API under `/v1`, in groups by the path's first segment (`/v1/job/…` → `job`), each
 * loaded on the first request under one of its segments: a cold Lambda asked `/v1/status/leader`
 * loads neither the store nor the job specification. No route of a group lies under another
 * group's segments, so routing is what one app holding every route in this order would do.
 */
type Mount = (app: Hono) => void;

function group(segments: string[], mounts: () => Promise<Mount[]>): RouteGroup {
  return {
    segments,
    load: async () => {
      const app = new Hono();
      for (const mount of await mounts()) mount(app);
      return app.onError(nomadErrorResponse);
    },
  };
}

export const NOMAD_ROUTE_GROUPS: readonly RouteGroup[] = [
  group(['jobs'], async () => [(await import('./jobs-routes')).mountJobsRoutes]),
  group(['job'], async () => {
    const { handleJobPath } = await import('./job-routes');
    return [(app) => app.all('/v1/job/*', handleJobPath)];
  }),
  group(['node', 'nodes'], async () => [(await import('./node-routes')).mountNodeRoutes, (await import('./node-action-routes')).mountNodeActionRoutes]),
  group(['evaluation', 'allocation'], async () => [(await import('./eval-alloc-routes')).mountEvalAllocRoutes]),
  group(['deployment', 'deployments'], async () => [(await import('./deployment-routes')).mountDeploymentRoutes]),
  group(['client', 'service', 'services'], async () => [
    (await import('./client-routes')).mountClientRoutes,
    (await import('./client-alloc-routes')).mountClientAllocRoutes,
    (await import('./client-fs-routes')).mountClientFsRoutes,
  ]),
  group(['acl'], async () => [(await import('./acl-routes')).mountAclRoutes]),
  group(['namespace', 'namespaces'], async () => [(await import('./namespace-routes')).mountNamespaceRoutes]),
  group(['allocations'], async () => [(await import('./allocations-routes')).mountAllocationsRoutes]),
  group(['evaluations'], async () => [(await import('./evaluations-routes')).mountEvaluationsRoutes]),
  group(['status', 'regions'], async () => [(await import('./status-routes')).mountStatusRoutes]),
  group(['agent', 'metrics'], async () => [(await import('./discovery-routes')).mountDiscoveryRoutes]),
  group(['system'], async () => [(await import('./system-routes')).mountSystemRoutes]),
  group(['validate'], async () => [(await import('./validate-routes')).mountValidateRoutes]),
  group(['search'], async () => [(await import('./search-routes')).mountSearchRoutes]),
  group(['var', 'vars'], async () => [(await import('./variable-routes')).mountVariableRoutes]),
  group(['event'], async () => [(await import('./event-routes')).mountEventRoutes]),
];
