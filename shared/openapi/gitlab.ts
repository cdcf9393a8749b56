import * as z from '../util/zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import { createParams as branchBody, listQuery as branchQuery } from '../gitlab/http/branches-routes';
import { listQuery as commitQuery } from '../gitlab/http/commits-routes';
import * as grape from '../gitlab/http/grape';
import { jobScope, playParams } from '../gitlab/http/jobs-routes';
import { getParams as lintQuery, postParams as lintBody } from '../gitlab/http/lint-routes';
import { paginationParams } from '../gitlab/http/pagination';
import { createParams as scheduleBody, listParams as scheduleQuery, updateParams as scheduleUpdateBody } from '../gitlab/http/pipeline-schedules-routes';
import { createParams as pipelineBody, listParams as pipelineQuery, pipelineBuildsParams } from '../gitlab/http/pipelines-routes';
import { listParams as projectQuery } from '../gitlab/http/projects-list-routes';
import { createParams as projectBody } from '../gitlab/http/projects-routes';
import { deleteParams as fileDeleteBody, fileQuery, rawFileQuery, writeParams as fileBody } from '../gitlab/http/repository-files-routes';
import { treeQuery } from '../gitlab/http/repository-routes';
import { runnerInfo, runnerParams, updateParams as jobUpdateBody } from '../gitlab/http/runner-routes';
import { filterParams as runnerQuery } from '../gitlab/http/runners-api-routes';
import { createParams as tagBody, listQuery as tagQuery } from '../gitlab/http/tags-routes';
import { createParams as triggerBody, triggerParams as triggerRunBody } from '../gitlab/http/triggers-routes';
import { listParams as userQuery } from '../gitlab/http/users-routes';
import { createParams as variableBody, updateParams as variableUpdateBody } from '../gitlab/http/variables-routes';
import { binary, empty, json, openApiDocument, operation, text, type OpenApiDocument } from './document';
import * as shapes from './gitlab-shapes';

/**
 * GitLab's REST API (`/api/v4`) as we serve it, the parts CI users and gitlab-runner use most:
 * projects, pipelines, jobs with their trace and artifacts, CI Lint, and the runner protocol.
 * Params are Grape's: they come as JSON, form or query alike; errors are `{"message"}` or
 * `{"error"}`, as GitLab's.
 */
const GITLAB_VERSION = '17.5.0';

const error = (description: string) => json(description, shapes.GitLabError);
const errors = {
  '400': error('A param missing or invalid: `{"error": "ref is missing"}`, or `{"message": …}`'),
  '401': error('`{"message": "401 Unauthorized"}`: no or a bad token'),
  '403': error('`{"message": "403 Forbidden"}`'),
  '404': error('`{"message": "404 Project Not Found"}` (also for what the token may not see)'),
};
const fileErrors = {
  ...errors,
  '400': error('A param missing or invalid, or the commit refused: `{"message": "A file with this name already exists"}`, `{"message": "You are not allowed to push into this branch"}`'),
};
const reading = { '401': errors['401'], '404': errors['404'] };
const writing = { '400': errors['400'], '401': errors['401'], '403': errors['403'], '404': errors['404'] };

const paged = (description: string, schema: z.ZodType): ZodOpenApiResponseObject =>
  json(description, schema, z.object({ 'X-Page': z.string(), 'X-Per-Page': z.string(), 'X-Next-Page': z.string(), Link: z.string().optional() }));

const projectPath = z.object({ id: z.string().meta({ description: 'The project ID, or its URL-encoded path (`group%2Fproject`)' }) });
const pipelinePath = projectPath.extend({ pipeline_id: grape.pathInteger() });
const jobPath = projectPath.extend({ job_id: grape.pathInteger() });
const runnerJobPath = z.object({ id: grape.pathInteger() });
const branchPath = projectPath.extend({ branch: z.string() });
const tagPath = projectPath.extend({ tag_name: z.string() });
const shaPath = projectPath.extend({ sha: z.string().meta({ description: 'A commit SHA, branch or tag name' }) });
const filePath = projectPath.extend({ file_path: z.string().meta({ description: 'The file\'s path, URL-encoded (`dir%2Ffile.yml`)' }) });
const variablePath = projectPath.extend({ key: z.string() });
const triggerPath = projectPath.extend({ trigger_id: grape.pathInteger() });
const schedulePath = projectPath.extend({ pipeline_schedule_id: grape.pathInteger() });
const byRefPath = projectPath.extend({ ref_name: z.string().meta({ description: 'A branch or tag (slashes allowed)' }) });
const byRefQuery = z.object({ job: grape.string().meta({ description: "The job's name; its latest successful run on the ref" }) });

const form = (schema: z.ZodType, required = true) => ({ required, content: { 'application/json': { schema }, 'application/x-www-form-urlencoded': { schema } } });

export function gitlabDocument(): OpenApiDocument {
  return openApiDocument({
    title: 'jobplane: GitLab CI API',
    version: GITLAB_VERSION,
    description: "GitLab's REST API (`/api/v4`) as jobplane serves it: projects with their repositories, CI pipelines and jobs run by stock gitlab-runner.",
    tags: {
      Instance: 'The instance and the caller',
      Projects: 'Projects (each with a git repository)',
      Repository: "A project's branches, tags, commits, tree and files",
      'CI/CD variables': "A project's CI/CD variables",
      'Pipeline triggers': 'Trigger tokens and running pipelines with them',
      Users: 'Users',
      'Pipeline schedules': 'Pipelines run on a cron schedule',
      Pipelines: 'CI pipelines',
      Jobs: 'CI jobs, their logs and artifacts',
      'CI Lint': 'Checking a `.gitlab-ci.yml`',
      Runners: 'The protocol gitlab-runner speaks (its own tokens, no user token)',
    },
    securitySchemes: {
      privateToken: { type: 'apiKey', in: 'header', name: 'PRIVATE-TOKEN', description: 'A personal, project or the bootstrap token (also `Authorization: Bearer`)' },
      jobToken: { type: 'apiKey', in: 'header', name: 'JOB-TOKEN', description: "A running job's token (`CI_JOB_TOKEN`)" },
    },
    paths: {
      '/api/v4/version': {
        get: operation('Instance', 'The GitLab version whose API this is (`/metadata` answers the same)', {
          responses: { '200': json('The version', shapes.Metadata), '401': errors['401'] },
        }),
      },
      '/api/v4/user': {
        get: operation('Instance', 'The user the token belongs to', {
          responses: { '200': json('The user', shapes.UserBasic), '401': errors['401'] },
        }),
      },
      '/api/v4/projects': {
        get: operation('Projects', 'List projects', {
          requestParams: { query: projectQuery },
          responses: { '200': paged('The projects the token may see', z.array(shapes.Project)), '400': errors['400'] },
        }),
        post: operation('Projects', 'Create a project', {
          requestBody: form(projectBody),
          responses: { '201': json('The project', shapes.Project), ...writing },
        }),
      },
      '/api/v4/projects/{id}': {
        get: operation('Projects', 'Read a project', {
          requestParams: { path: projectPath },
          responses: { '200': json('The project', shapes.Project), ...reading },
        }),
      },
      '/api/v4/projects/{id}/repository/branches': {
        get: operation('Repository', 'List branches', {
          requestParams: { path: projectPath, query: branchQuery },
          responses: { '200': paged('The branches, by name', z.array(shapes.Branch)), '400': errors['400'], ...reading },
        }),
        post: operation('Repository', 'Create a branch at a ref', {
          requestParams: { path: projectPath },
          requestBody: form(branchBody),
          responses: { '201': json('The branch', shapes.Branch), ...writing },
        }),
      },
      '/api/v4/projects/{id}/repository/branches/{branch}': {
        get: operation('Repository', 'Read a branch', {
          requestParams: { path: branchPath },
          responses: { '200': json('The branch', shapes.Branch), ...reading },
        }),
        delete: operation('Repository', 'Delete a branch', {
          requestParams: { path: branchPath },
          responses: { '204': empty('Deleted'), ...writing },
        }),
      },
      '/api/v4/projects/{id}/repository/tags': {
        get: operation('Repository', 'List tags', {
          requestParams: { path: projectPath, query: tagQuery },
          responses: { '200': paged('The tags', z.array(shapes.Tag)), '400': errors['400'], ...reading },
        }),
        post: operation('Repository', 'Create a tag (annotated with a `message`)', {
          requestParams: { path: projectPath },
          requestBody: form(tagBody),
          responses: { '201': json('The tag', shapes.Tag), ...writing },
        }),
      },
      '/api/v4/projects/{id}/repository/tags/{tag_name}': {
        get: operation('Repository', 'Read a tag', {
          requestParams: { path: tagPath },
          responses: { '200': json('The tag', shapes.Tag), ...reading },
        }),
        delete: operation('Repository', 'Delete a tag', {
          requestParams: { path: tagPath },
          responses: { '204': empty('Deleted'), ...writing },
        }),
      },
      '/api/v4/projects/{id}/repository/commits': {
        get: operation('Repository', 'List commits, newest first', {
          requestParams: { path: projectPath, query: commitQuery },
          responses: { '200': paged('The commits', z.array(shapes.Commit)), '400': errors['400'], ...reading },
        }),
      },
      '/api/v4/projects/{id}/repository/commits/{sha}': {
        get: operation('Repository', 'Read a commit', {
          requestParams: { path: shaPath },
          responses: { '200': json('The commit, with its stats and last pipeline', shapes.CommitDetail), ...reading },
        }),
      },
      '/api/v4/projects/{id}/repository/tree': {
        get: operation('Repository', 'List a directory of the repository', {
          requestParams: { path: projectPath, query: treeQuery },
          responses: { '200': paged('The entries, directories first', z.array(shapes.TreeItem)), '400': errors['400'], ...reading },
        }),
      },
      '/api/v4/projects/{id}/repository/files/{file_path}': {
        get: operation('Repository', 'Read a file at a ref, its content base64', {
          requestParams: { path: filePath, query: fileQuery },
          responses: { '200': json('The file', shapes.RepositoryFile), '400': errors['400'], ...reading, '403': errors['403'], '404': error('`{"message": "404 File Not Found"}`, or the project or ref not found') },
        }),
        post: operation('Repository', 'Create a file on a branch, as a new commit (which runs a push pipeline unless its message says `[skip ci]`)', {
          requestParams: { path: filePath },
          requestBody: form(fileBody),
          responses: { '201': json('The file and branch written', shapes.FileWritten), ...fileErrors },
        }),
        put: operation('Repository', 'Update a file on a branch, as a new commit', {
          requestParams: { path: filePath },
          requestBody: form(fileBody),
          responses: { '200': json('The file and branch written', shapes.FileWritten), ...fileErrors },
        }),
        delete: operation('Repository', 'Delete a file from a branch, as a new commit', {
          requestParams: { path: filePath },
          requestBody: form(fileDeleteBody),
          responses: { '204': empty('Deleted'), ...fileErrors },
        }),
      },
      '/api/v4/projects/{id}/repository/files/{file_path}/raw': {
        get: operation('Repository', 'A file at a ref (the default branch unless `ref` is given), as it is', {
          requestParams: { path: filePath, query: rawFileQuery },
          responses: { '200': text('The content'), '400': errors['400'], ...reading, '403': errors['403'], '404': error('`{"message": "404 File Not Found"}`, or the project or ref not found') },
        }),
      },
      '/api/v4/projects/{id}/variables': {
        get: operation('CI/CD variables', "List a project's variables (maintainers)", {
          requestParams: { path: projectPath, query: z.object(paginationParams) },
          responses: { '200': paged('The variables', z.array(shapes.Variable)), ...writing },
        }),
        post: operation('CI/CD variables', 'Create a variable', {
          requestParams: { path: projectPath },
          requestBody: form(variableBody),
          responses: { '201': json('The variable', shapes.Variable), ...writing },
        }),
      },
      '/api/v4/projects/{id}/variables/{key}': {
        get: operation('CI/CD variables', 'Read a variable', {
          requestParams: { path: variablePath },
          responses: { '200': json('The variable', shapes.Variable), ...writing },
        }),
        put: operation('CI/CD variables', 'Update a variable', {
          requestParams: { path: variablePath },
          requestBody: form(variableUpdateBody, false),
          responses: { '200': json('The variable', shapes.Variable), ...writing },
        }),
        delete: operation('CI/CD variables', 'Delete a variable', {
          requestParams: { path: variablePath },
          responses: { '204': empty('Deleted'), ...writing },
        }),
      },
      '/api/v4/projects/{id}/triggers': {
        get: operation('Pipeline triggers', "List a project's trigger tokens (maintainers)", {
          requestParams: { path: projectPath, query: z.object(paginationParams) },
          responses: { '200': paged('The triggers', z.array(shapes.Trigger)), ...writing },
        }),
        post: operation('Pipeline triggers', 'Create a trigger token', {
          requestParams: { path: projectPath },
          requestBody: form(triggerBody),
          responses: { '201': json('The trigger, its token in full', shapes.Trigger), ...writing },
        }),
      },
      '/api/v4/projects/{id}/triggers/{trigger_id}': {
        get: operation('Pipeline triggers', 'Read a trigger token', {
          requestParams: { path: triggerPath },
          responses: { '200': json('The trigger', shapes.Trigger), ...writing },
        }),
        delete: operation('Pipeline triggers', 'Delete a trigger token', {
          requestParams: { path: triggerPath },
          responses: { '204': empty('Deleted'), ...writing },
        }),
      },
      '/api/v4/projects/{id}/trigger/pipeline': {
        post: operation('Pipeline triggers', 'Run a pipeline with a trigger token', {
          security: [],
          requestParams: { path: projectPath },
          requestBody: form(triggerRunBody),
          responses: { '201': json('The pipeline', shapes.Pipeline), '400': errors['400'], '404': errors['404'] },
        }),
      },
      '/api/v4/projects/{id}/pipeline_schedules': {
        get: operation('Pipeline schedules', "List a project's pipeline schedules", {
          requestParams: { path: projectPath, query: scheduleQuery },
          responses: { '200': paged('The schedules', z.array(shapes.PipelineSchedule)), '400': errors['400'], ...reading },
        }),
        post: operation('Pipeline schedules', 'Create a pipeline schedule', {
          requestParams: { path: projectPath },
          requestBody: form(scheduleBody),
          responses: { '201': json('The schedule', shapes.PipelineScheduleDetails), ...writing },
        }),
      },
      '/api/v4/projects/{id}/pipeline_schedules/{pipeline_schedule_id}': {
        get: operation('Pipeline schedules', 'Read a pipeline schedule, with its last pipeline', {
          requestParams: { path: schedulePath },
          responses: { '200': json('The schedule', shapes.PipelineScheduleDetails), ...reading },
        }),
        put: operation('Pipeline schedules', 'Update a pipeline schedule (its owner)', {
          requestParams: { path: schedulePath },
          requestBody: form(scheduleUpdateBody, false),
          responses: { '200': json('The schedule', shapes.PipelineScheduleDetails), ...writing },
        }),
        delete: operation('Pipeline schedules', 'Delete a pipeline schedule', {
          requestParams: { path: schedulePath },
          responses: { '204': empty('Deleted'), ...writing },
        }),
      },
      '/api/v4/projects/{id}/pipeline_schedules/{pipeline_schedule_id}/play': {
        post: operation('Pipeline schedules', 'Run a schedule now', {
          requestParams: { path: schedulePath },
          responses: { '201': json('`{"message": "201 Created"}` (the pipeline is made in the background)', z.object({ message: z.string() })), ...writing },
        }),
      },
      '/api/v4/projects/{id}/jobs/artifacts/{ref_name}/download': {
        get: operation('Jobs', "Download the artifacts archive of a ref's latest successful job of a name", {
          requestParams: { path: byRefPath, query: byRefQuery },
          responses: { '302': { description: 'To the archive', headers: z.object({ Location: z.string() }) }, '400': errors['400'], ...reading },
        }),
      },
      '/api/v4/projects/{id}/jobs/artifacts/{ref_name}/raw/{artifact_path}': {
        get: operation('Jobs', "One file from the artifacts of a ref's latest successful job of a name", {
          requestParams: { path: byRefPath.extend({ artifact_path: z.string() }), query: byRefQuery },
          responses: { '200': binary('The file', '*/*'), '400': errors['400'], ...reading },
        }),
      },
      '/api/v4/projects/{id}/pipeline': {
        post: operation('Pipelines', 'Run a pipeline for a ref', {
          requestParams: { path: projectPath },
          requestBody: form(pipelineBody),
          responses: { '201': json('The pipeline', shapes.Pipeline), ...writing },
        }),
      },
      '/api/v4/projects/{id}/pipelines': {
        get: operation('Pipelines', "List a project's pipelines, newest first", {
          requestParams: { path: projectPath, query: pipelineQuery },
          responses: { '200': paged('The pipelines', z.array(shapes.PipelineListEntry)), '400': errors['400'], ...reading },
        }),
      },
      '/api/v4/projects/{id}/pipelines/{pipeline_id}': {
        get: operation('Pipelines', 'Read a pipeline', {
          requestParams: { path: pipelinePath },
          responses: { '200': json('The pipeline', shapes.Pipeline), ...reading },
        }),
      },
      '/api/v4/projects/{id}/pipelines/{pipeline_id}/cancel': {
        post: operation('Pipelines', "Cancel a pipeline's unfinished jobs", {
          requestParams: { path: pipelinePath },
          responses: { '200': json('The pipeline', shapes.Pipeline), ...writing },
        }),
      },
      '/api/v4/projects/{id}/pipelines/{pipeline_id}/retry': {
        post: operation('Pipelines', "Retry a pipeline's failed and canceled jobs", {
          requestParams: { path: pipelinePath },
          responses: { '201': json('The pipeline', shapes.Pipeline), ...writing },
        }),
      },
      '/api/v4/projects/{id}/pipelines/{pipeline_id}/jobs': {
        get: operation('Pipelines', "A pipeline's jobs", {
          requestParams: { path: pipelinePath, query: pipelineBuildsParams },
          responses: { '200': paged('The jobs', z.array(shapes.Job)), '400': errors['400'], ...reading },
        }),
      },
      '/api/v4/projects/{id}/jobs': {
        get: operation('Jobs', "List a project's jobs, newest first", {
          requestParams: { path: projectPath, query: z.object({ scope: jobScope, ...paginationParams }) },
          responses: { '200': paged('The jobs', z.array(shapes.Job)), '400': errors['400'], ...reading },
        }),
      },
      '/api/v4/projects/{id}/jobs/{job_id}': {
        get: operation('Jobs', 'Read a job', {
          requestParams: { path: jobPath },
          responses: { '200': json('The job', shapes.Job), ...reading },
        }),
      },
      '/api/v4/projects/{id}/jobs/{job_id}/trace': {
        get: operation('Jobs', "A job's log", {
          requestParams: { path: jobPath },
          responses: { '200': text('The log as the runner sent it (ANSI colours, `section_start` markers)'), ...reading },
        }),
      },
      '/api/v4/projects/{id}/jobs/{job_id}/cancel': {
        post: operation('Jobs', 'Cancel a job', {
          requestParams: { path: jobPath },
          responses: { '201': json('The job', shapes.Job), ...writing },
        }),
      },
      '/api/v4/projects/{id}/jobs/{job_id}/retry': {
        post: operation('Jobs', 'Retry a job (a new job)', {
          requestParams: { path: jobPath },
          responses: { '201': json('The new job', shapes.Job), ...writing },
        }),
      },
      '/api/v4/projects/{id}/jobs/{job_id}/erase': {
        post: operation('Jobs', "Erase a finished job's log and artifacts", {
          requestParams: { path: jobPath },
          responses: { '201': json('The job', shapes.Job), ...writing },
        }),
      },
      '/api/v4/projects/{id}/jobs/{job_id}/play': {
        post: operation('Jobs', 'Start a manual job', {
          requestParams: { path: jobPath },
          requestBody: form(playParams, false),
          responses: { '200': json('The job', shapes.Job), ...writing },
        }),
      },
      '/api/v4/projects/{id}/jobs/{job_id}/artifacts': {
        get: operation('Jobs', "Download a job's artifacts archive", {
          requestParams: { path: jobPath },
          responses: { '200': binary('The archive', 'application/zip'), ...reading },
        }),
      },
      '/api/v4/projects/{id}/jobs/{job_id}/artifacts/{artifact_path}': {
        get: operation('Jobs', 'Download one file from the artifacts archive', {
          requestParams: { path: jobPath.extend({ artifact_path: z.string().meta({ description: 'The path inside the archive' }) }) },
          responses: { '200': binary('The file', '*/*'), ...reading },
        }),
      },
      '/api/v4/projects/{id}/ci/lint': {
        get: operation('CI Lint', "Check the project's own `.gitlab-ci.yml`", {
          requestParams: { path: projectPath, query: lintQuery },
          responses: { '200': json('The verdict (always 200)', shapes.LintResult), ...writing },
        }),
        post: operation('CI Lint', 'Check a `.gitlab-ci.yml` in the context of the project', {
          requestParams: { path: projectPath },
          requestBody: form(lintBody),
          responses: { '200': json('The verdict (always 200)', shapes.LintResult), ...writing },
        }),
      },
      '/api/v4/job': {
        get: operation('Jobs', 'The job whose token (`CI_JOB_TOKEN`) the request carries, while it runs', {
          security: [{ jobToken: [] }],
          responses: { '200': json('The job', shapes.Job), '401': errors['401'] },
        }),
      },
      '/api/v4/users': {
        get: operation('Users', 'List users (administrators see every field)', {
          requestParams: { query: userQuery },
          responses: { '200': paged('The users', z.array(shapes.UserBasic)), '400': errors['400'], '403': errors['403'] },
        }),
      },
      '/api/v4/runners/all': {
        get: operation('Runners', 'List every runner (administrators)', {
          requestParams: { query: runnerQuery },
          responses: { '200': paged('The runners', z.array(shapes.Runner)), '400': errors['400'], '401': errors['401'], '403': errors['403'] },
        }),
      },
      '/api/v4/runners': {
        get: operation('Runners', 'List the runners the user owns (those of projects they maintain)', {
          requestParams: { query: runnerQuery },
          responses: { '200': paged('The runners', z.array(shapes.Runner)), '400': errors['400'], '401': errors['401'] },
        }),
        post: operation('Runners', 'Register a runner with a registration token (`gitlab-runner register`)', {
          security: [],
          requestBody: form(z.object({ token: grape.string(), ...runnerParams.shape })),
          responses: { '201': json("The runner and its token (`glrt-`)", shapes.RunnerRegistration), '400': errors['400'], '403': errors['403'] },
        }),
        delete: operation('Runners', 'Unregister a runner by its token', {
          security: [],
          requestBody: form(z.object({ token: grape.string() })),
          responses: { '204': empty('Unregistered'), '403': errors['403'] },
        }),
      },
      '/api/v4/runners/verify': {
        post: operation('Runners', "Check a runner's token (`gitlab-runner verify`)", {
          security: [],
          requestBody: form(z.object({ token: grape.string() })),
          responses: { '200': json('The runner', shapes.RunnerRegistration), '403': errors['403'] },
        }),
      },
      '/api/v4/jobs/request': {
        post: operation('Runners', 'Ask for a job to run', {
          security: [],
          requestBody: form(z.object({ token: grape.string(), last_update: grape.string().optional(), info: runnerInfo })),
          responses: {
            '201': json('A job, with everything the runner needs to run it', shapes.JobRequestResponse),
            '204': { description: 'Nothing to run; come back with `last_update`', headers: z.object({ 'X-GitLab-Last-Update': z.string() }) },
            '403': errors['403'],
          },
        }),
      },
      '/api/v4/jobs/{id}': {
        put: operation('Runners', "Report a job's state (`running`, `success`, `failed`)", {
          security: [],
          requestParams: { path: runnerJobPath },
          requestBody: form(jobUpdateBody),
          responses: { '200': json('Accepted (the body is the number 200); `Job-Status` says what the server holds', z.literal(200), z.object({ 'Job-Status': z.string() })), '400': errors['400'], '403': errors['403'], '404': errors['404'] },
        }),
      },
      '/api/v4/jobs/{id}/trace': {
        patch: operation('Runners', "Append to a job's log", {
          security: [],
          requestParams: { path: runnerJobPath, header: z.object({ 'JOB-TOKEN': z.string(), 'Content-Range': z.string().meta({ description: '`<from>-<to>` of the whole log' }) }) },
          requestBody: { required: true, content: { 'text/plain': { schema: z.string() } } },
          responses: {
            '202': { description: 'Appended', headers: z.object({ 'Job-Status': z.string(), Range: z.string() }) },
            '403': errors['403'],
            '404': errors['404'],
            '416': { description: 'The range does not follow what is stored', headers: z.object({ Range: z.string() }), content: { 'application/json': { schema: shapes.GitLabError } } },
          },
        }),
      },
    },
  });
}
