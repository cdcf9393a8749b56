/**
 * GitLab's `/api/v4`: importing the route modules registers them on the one `gitlab` app.
 */
// First, so that it runs before every endpoint.
import './malformed-strings';
import './users-routes';
import './projects-list-routes';
import './projects-routes';
import './project-settings-routes';
import './repository-files-routes';
import './pipeline-more-routes';
import './test-report-routes';
import './triggers-routes';
import './pipeline-schedules-routes';
import './pipelines-routes';
import './jobs-routes';
import './job-token-routes';
import './runner-routes';
import './artifacts-routes';
import './metadata-routes';
import './lint-routes';
import './runners-api-routes';
import './variables-routes';
import './resource-groups-routes';
import './environments-routes';
import './oidc-routes';
import './branches-routes';
import './commits-routes';
import './repository-routes';
import './tags-routes';

export { gitlab, gitlabNotFound } from './routing';
