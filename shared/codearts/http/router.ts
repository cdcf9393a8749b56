import { Hono } from 'hono';
import { mountIamRoutes } from './iam-routes';
import { mountJobsRoutes } from './jobs-routes';
import { codeartsErrorResponse, requestIdHeader, type CodeArtsEnv } from './routing';

/** CodeArts Build's `/v3` and IAM's token endpoint. */
export const codearts = new Hono<CodeArtsEnv>();

codearts.use('/v3/*', requestIdHeader);
mountJobsRoutes(codearts);
mountIamRoutes(codearts);

codearts.onError(codeartsErrorResponse);

export { codeartsNotFound } from './routing';
