import { Hono } from 'hono';
import { mountAclRoutes } from './acl-routes';
import { mountClientRoutes } from './client-routes';
import { methodNotAllowed, nomadErrorResponse } from './errors';
import { mountEvalAllocRoutes } from './eval-alloc-routes';
import { handleParseJob } from './job-parse-handler';
import { handleJobPath } from './job-routes';
import { handleListJobs, handleRegister } from './jobs-routes';
import { mountNamespaceRoutes } from './namespace-routes';
import { mountNodeRoutes } from './node-routes';
import { mountDeploymentRoutes } from './deployment-routes';

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

nomad.onError(nomadErrorResponse);
