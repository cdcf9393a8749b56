import { Hono } from 'hono';
import { mountAclRoutes } from './acl-routes';
import { mountClientRoutes } from './client-routes';
import { methodNotAllowed } from '../errors';
import { nomadErrorResponse } from './error-response';
import { mountEvalAllocRoutes } from './eval-alloc-routes';
import { handleParseJob } from './job-parse-handler';
import { handleJobPath } from './job-routes';
import { handleListJobs, handleRegister } from './jobs-routes';
import { mountNamespaceRoutes } from './namespace-routes';
import { mountNodeRoutes } from './node-routes';
import { mountDeploymentRoutes } from './deployment-routes';
import { mountAllocationsRoutes } from './allocations-routes';
import { mountEvaluationsRoutes } from './evaluations-routes';
import { mountDiscoveryRoutes } from './discovery-routes';
import { mountSystemRoutes } from './system-routes';
import { mountNodeActionRoutes } from './node-action-routes';
import { mountValidateRoutes } from './validate-routes';
import { mountSearchRoutes } from './search-routes';
import { mountVariableRoutes } from './variable-routes';
import { mountEventRoutes } from './event-routes';
import { mountClientAllocRoutes } from './client-alloc-routes';
import { mountClientFsRoutes } from './client-fs-routes';

/** Nomad's HTTP API under `/v1`. */
export const nomad = new Hono();

nomad.get('/v1/jobs', handleListJobs);
nomad.on(['PUT', 'POST'], '/v1/jobs/parse', handleParseJob);
nomad.all('/v1/jobs/parse', () => {
  throw methodNotAllowed();
});
nomad.on(['PUT', 'POST'], '/v1/jobs', (c) => handleRegister(c));
nomad.all('/v1/jobs', () => {
  throw methodNotAllowed();
});
nomad.all('/v1/job/*', handleJobPath);
mountNodeRoutes(nomad);
mountEvalAllocRoutes(nomad);
mountDeploymentRoutes(nomad);
mountClientRoutes(nomad);
mountAclRoutes(nomad);
mountNamespaceRoutes(nomad);
mountAllocationsRoutes(nomad);
mountEvaluationsRoutes(nomad);
mountDiscoveryRoutes(nomad);
mountSystemRoutes(nomad);
mountNodeActionRoutes(nomad);
mountValidateRoutes(nomad);
mountSearchRoutes(nomad);
mountVariableRoutes(nomad);
mountEventRoutes(nomad);
mountClientAllocRoutes(nomad);
mountClientFsRoutes(nomad);

nomad.onError(nomadErrorResponse);
