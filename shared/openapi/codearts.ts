import * as z from '../util/zod';
import { mintSchema } from '../codearts/http/iam-routes';
import { buildNoSchema, createTaskSchema, historySchema, jobIdSchema, runSchema, stopSchema } from '../codearts/http/request';
import { json, jsonBody, openApiDocument, operation, type OpenApiDocument } from './document';

/**
 * CodeArts Build's `/v3` task API and IAM's token endpoint, as we serve them. Every answer is
 * `application/json;charset=UTF-8` with an `X-Request-Id`; every error `{"error_code", "error_msg",
 * "request_id"}` (IAM's are Keystone's `{"error": {"code", "message", "title"}}`).
 */
const BUILD_STATUS = z.enum(['QUEUED', 'RUNNING', 'SUCCESS', 'FAILURE', 'ABORTED']);
const time = z.string().meta({ description: 'UTC, e.g. `2026-01-02T03:04:05.678+00:00`' });

const CodeArtsError = z
  .object({ error_code: z.string().meta({ example: 'CB.00060201' }), error_msg: z.string(), request_id: z.string() })
  .meta({ id: 'CodeArtsError' });
const error = (description: string) => json(description, CodeArtsError);

const authErrors = {
  '401': error('`X-Auth-Token` missing, unreadable or expired (APIGW.0301)'),
  '403': error('A domain-scoped token: the API wants a project-scoped one (APIGW.0302)'),
};

const taskPath = z.object({ job_id: jobIdSchema.meta({ description: 'The build task (32 lowercase hex digits)' }) });

const Created = z.object({ result: z.object({ job_id: z.string() }), error: z.null(), status: z.literal('success') });
const Run = z.object({ octopus_job_name: z.string(), actual_build_number: z.string(), daily_build_number: z.string() });
const Result = z.object({ result: z.boolean() });
const Deleted = z.object({ result: z.object({ job_id: z.string(), project_id: z.string() }), status: z.literal('success') });

const RecordInfo = z
  .object({
    success: z.literal(true),
    result: z.object({
      id: z.string(),
      build_record_id: z.string(),
      codeci_job_id: z.string(),
      devcloud_project_id: z.string(),
      build_project_id: z.null(),
      parent_record_id: z.null(),
      domain_id: z.string(),
      user_id: z.string(),
      build_no: z.int(),
      daily_build_num: z.string(),
      execution_id: z.string(),
      status: BUILD_STATUS,
      trigger_type: z.string(),
      repo_name: z.null(),
      branch: z.null(),
      tag: z.string().nullable(),
      commit: z.string().nullable(),
      build_type: z.null(),
      build_config_type: z.string().nullable(),
      create_time: time.nullable(),
      queued_time: time.nullable(),
      schedule_time: z.null(),
      runnable_time: z.null(),
      start_time: time.nullable(),
      finish_time: time.nullable(),
      duration: z.int().meta({ description: 'Milliseconds from start to finish; 0 while it runs' }),
      err_msg: z.null(),
      record_status: z.null(),
      use_private_slave: z.null(),
      region: z.null(),
    }),
  })
  .meta({ id: 'BuildRecordInfo' });

const History = z
  .object({
    history_records: z.array(
      z.object({
        record_id: z.string(),
        job_id: z.string(),
        build_number: z.int(),
        start_time: time.nullable(),
        end_time: time.nullable(),
        result: BUILD_STATUS,
      }),
    ),
    total: z.int(),
  })
  .meta({ id: 'BuildHistory' });

const reference = z.object({ id: z.string(), name: z.string() });
const IamToken = z.object({
  token: z.object({
    methods: z.array(z.string()),
    issued_at: z.string(),
    expires_at: z.string(),
    user: z.object({ id: z.string(), name: z.string(), domain: reference, password_expires_at: z.string() }),
    project: reference.extend({ domain: reference }).optional(),
    domain: reference.optional(),
    roles: z.array(z.unknown()),
    catalog: z.array(z.unknown()),
  }),
});
const IamError = z.object({ error: z.object({ code: z.int(), message: z.string(), title: z.string() }) }).meta({ id: 'IamError' });

export function codeartsDocument(): OpenApiDocument {
  return openApiDocument({
    title: 'jobplane: CodeArts Build API',
    version: 'v3',
    description: "CodeArts Build's task API (`/v3/jobs/…`) and IAM's `POST /v3/auth/tokens`, served by jobplane over GitLab CI pipelines.",
    tags: {
      Tasks: 'Build tasks and their builds',
      IAM: 'Project-scoped tokens for the task API',
    },
    securitySchemes: { iamToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' } },
    paths: {
      '/v3/jobs/create': {
        post: operation('Tasks', 'Create a build task', {
          requestBody: jsonBody(createTaskSchema),
          responses: { '200': json('The new task', Created), '400': error('A required field missing or mistyped (CB.00060200)'), ...authErrors },
        }),
      },
      '/v3/jobs/build': {
        post: operation('Tasks', 'Run a build of a task', {
          requestBody: jsonBody(runSchema),
          responses: { '200': json('The build started', Run), '400': error('Bad parameters'), ...authErrors, '404': error('No such task (CB.00060201)') },
        }),
      },
      '/v3/jobs/stop': {
        post: operation('Tasks', 'Stop a build', {
          requestBody: jsonBody(stopSchema),
          responses: {
            '200': json('`true` when the build is (now) aborted, `false` when it had already finished otherwise', Result),
            '400': error('Bad task ID or build number'),
            ...authErrors,
            '404': error('No such task or build'),
          },
        }),
      },
      '/v3/jobs/{job_id}/status': {
        get: operation('Tasks', 'Whether a build of the task is running', {
          requestParams: { path: taskPath },
          responses: { '200': json('`true` while a build is queued or running', Result), '400': error('Bad task ID (CB.00060201)'), ...authErrors, '404': error('No such task') },
        }),
      },
      '/v3/jobs/{job_id}/history': {
        get: operation('Tasks', "A task's builds, newest first", {
          requestParams: { path: taskPath, query: historySchema },
          responses: { '200': json('One page of builds', History), '400': error('Bad task ID or paging'), ...authErrors, '404': error('No such task') },
        }),
      },
      '/v3/jobs/{job_id}/{build_no}/record-info': {
        get: operation('Tasks', 'One build', {
          requestParams: { path: taskPath.extend({ build_no: buildNoSchema }) },
          responses: { '200': json('The build', RecordInfo), '400': error('Bad task ID or build number'), ...authErrors, '404': error('No such task or build') },
        }),
      },
      '/v3/jobs/{job_id}/delete': {
        post: operation('Tasks', 'Delete a task and its builds', {
          requestParams: { path: taskPath },
          responses: { '200': json('The task deleted', Deleted), '400': error('Bad task ID'), ...authErrors, '404': error('No such task') },
        }),
      },
      '/v3/auth/tokens': {
        post: operation('IAM', "Obtain a token (the administrator's bootstrap token, `token` method)", {
          security: [],
          requestBody: jsonBody(mintSchema),
          responses: {
            '201': json('The token, its secret in `X-Subject-Token`', IamToken, z.object({ 'X-Subject-Token': z.string() })),
            '400': json('Malformed request', IamError),
            '401': json('No or unknown administrator token', IamError),
            '403': json('A token that is not the bootstrap token', IamError),
          },
        }),
      },
    },
  });
}
