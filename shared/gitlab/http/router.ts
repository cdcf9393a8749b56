import { Hono } from 'hono';
import { mountArtifactsRoutes } from './artifacts-routes';
import { mountBranchesRoutes } from './branches-routes';
import { mountCommitsRoutes } from './commits-routes';
import { mountEnvironmentsRoutes } from './environments-routes';
import { mountJobTokenRoutes } from './job-token-routes';
import { mountJobsRoutes } from './jobs-routes';
import { mountLintRoutes } from './lint-routes';
import { rejectMalformedStrings } from './malformed-strings';
import { mountMetadataRoutes } from './metadata-routes';
import { mountOidcRoutes } from './oidc-routes';
import { mountPipelineMoreRoutes } from './pipeline-more-routes';
import { mountPipelineSchedulesRoutes } from './pipeline-schedules-routes';
import { mountPipelinesRoutes } from './pipelines-routes';
import { mountProjectSettingsRoutes } from './project-settings-routes';
import { mountProjectsListRoutes } from './projects-list-routes';
import { mountProjectsRoutes } from './projects-routes';
import { mountRepositoryFilesRoutes } from './repository-files-routes';
import { mountRepositoryRoutes } from './repository-routes';
import { mountResourceGroupsRoutes } from './resource-groups-routes';
import { mountRunnerRoutes } from './runner-routes';
import { mountRunnersApiRoutes } from './runners-api-routes';
import { API_PREFIX, gitlabErrorResponse, grapeHeaders, grapeNotFound } from './routing';
import { mountTagsRoutes } from './tags-routes';
import { mountTestReportRoutes } from './test-report-routes';
import { mountTriggersRoutes } from './triggers-routes';
import { mountUsersRoutes } from './users-routes';
import { mountVariablesRoutes } from './variables-routes';

/**
 * GitLab's API under `/api/v4`, and the OIDC documents beside it. Where two paths can match one
 * request, the endpoint mounted first answers (Hono runs matches in the order they were added).
 */
export const gitlab = new Hono();
const api = gitlab.basePath(API_PREFIX);

api.use('/*', grapeHeaders);
// Before every endpoint, as GitLab's Rack middleware.
api.use('/*', rejectMalformedStrings);
mountUsersRoutes(api);
mountProjectsListRoutes(api);
mountProjectsRoutes(api);
mountProjectSettingsRoutes(api);
mountRepositoryFilesRoutes(api);
mountPipelineMoreRoutes(api);
mountTestReportRoutes(api);
mountTriggersRoutes(api);
mountPipelineSchedulesRoutes(api);
mountJobsRoutes(api);
mountPipelinesRoutes(api);
mountJobTokenRoutes(api);
mountRunnerRoutes(api);
mountArtifactsRoutes(api);
mountMetadataRoutes(api);
mountLintRoutes(api);
mountRunnersApiRoutes(api);
mountVariablesRoutes(api);
mountResourceGroupsRoutes(api);
mountEnvironmentsRoutes(api);
mountOidcRoutes(gitlab);
mountBranchesRoutes(api);
mountCommitsRoutes(api);
mountRepositoryRoutes(api);
mountTagsRoutes(api);

gitlab.onError(gitlabErrorResponse);

/** Called from the app's not-found handler for paths under `/api/v4/`. */
export const gitlabNotFound = grapeNotFound(gitlab);
