import * as z from '../util/zod';

/**
 * The response shapes of GitLab's API as we answer them, after GitLab's Grape entities
 * (`API::Entities::…`): the small entities field for field, the large ones (Project, the job
 * payload a runner gets) with the fields clients read and room for the rest.
 */
const time = z.string().meta({ description: 'ISO 8601 with milliseconds, e.g. `2026-01-02T03:04:05.678Z`' });

/** `{"message": …}` (a text, or `{field: [texts]}` for validation), or Grape's `{"error": …}`. */
export const GitLabError = z
  .union([z.object({ message: z.union([z.string(), z.record(z.string(), z.unknown())]) }), z.object({ error: z.string() })])
  .meta({ id: 'GitLabError' });

const PIPELINE_STATUS = z.enum(['created', 'waiting_for_resource', 'preparing', 'waiting_for_callback', 'pending', 'running', 'success', 'failed', 'canceling', 'canceled', 'skipped', 'manual', 'scheduled']);

export const UserBasic = z
  .looseObject({ id: z.int(), username: z.string(), name: z.string(), state: z.string(), locked: z.boolean(), avatar_url: z.string().nullable(), web_url: z.string() })
  .meta({ id: 'UserBasic' });

export const Project = z
  .looseObject({
    id: z.int(),
    description: z.string().nullable(),
    name: z.string(),
    name_with_namespace: z.string(),
    path: z.string(),
    path_with_namespace: z.string(),
    created_at: time,
    default_branch: z.string().nullable(),
    topics: z.array(z.string()),
    http_url_to_repo: z.string(),
    web_url: z.string(),
    last_activity_at: time,
    namespace: z.looseObject({ id: z.int(), name: z.string(), path: z.string(), kind: z.string(), full_path: z.string() }),
    visibility: z.enum(['private', 'internal', 'public']).optional(),
    runners_token: z.string().optional().meta({ description: 'Only for those who may administer the project' }),
  })
  .meta({ id: 'Project' });

export const PipelineBasic = z
  .object({
    id: z.int(),
    iid: z.int(),
    project_id: z.int(),
    sha: z.string(),
    ref: z.string(),
    status: PIPELINE_STATUS,
    source: z.string(),
    created_at: time,
    updated_at: time,
    web_url: z.string(),
  })
  .meta({ id: 'PipelineBasic' });

/** A pipeline as listed: the basic entity and its `name`. */
export const PipelineListEntry = PipelineBasic.extend({ name: z.string().nullable() }).meta({ id: 'PipelineListEntry' });

const DetailedStatus = z.object({
  icon: z.string(),
  text: z.string(),
  label: z.string(),
  group: z.string(),
  tooltip: z.string(),
  has_details: z.boolean(),
  details_path: z.string(),
  illustration: z.null(),
  favicon: z.string(),
});

export const Pipeline = PipelineBasic.extend({
  before_sha: z.string(),
  tag: z.boolean(),
  yaml_errors: z.string().nullable(),
  user: UserBasic.nullable(),
  started_at: time.nullable(),
  finished_at: time.nullable(),
  committed_at: time.nullable(),
  duration: z.int().nullable(),
  queued_duration: z.int().nullable(),
  coverage: z.string().nullable(),
  detailed_status: DetailedStatus,
  name: z.string().nullable(),
  archived: z.boolean(),
}).meta({ id: 'Pipeline' });

export const Job = z
  .looseObject({
    id: z.int(),
    status: PIPELINE_STATUS,
    stage: z.string(),
    name: z.string(),
    ref: z.string(),
    tag: z.boolean(),
    coverage: z.number().nullable(),
    allow_failure: z.boolean(),
    created_at: time,
    started_at: time.nullable(),
    finished_at: time.nullable(),
    erased_at: time.nullable(),
    duration: z.number().nullable(),
    queued_duration: z.number().nullable(),
    user: z.looseObject({ id: z.int(), username: z.string() }).nullable(),
    commit: z.looseObject({ id: z.string(), short_id: z.string(), title: z.string() }).nullable(),
    pipeline: PipelineBasic.nullable(),
    failure_reason: z.string().optional().meta({ description: 'Only for failed jobs' }),
    web_url: z.string(),
    artifacts_file: z.object({ filename: z.string(), size: z.int() }).optional(),
    artifacts: z.array(z.object({ file_type: z.string(), size: z.int(), filename: z.string(), file_format: z.string().nullable() })),
    runner: z.looseObject({ id: z.int(), description: z.string() }).nullable(),
    artifacts_expire_at: time.nullable(),
    tag_list: z.array(z.string()),
  })
  .meta({ id: 'Job' });

export const RunnerRegistration = z.object({ id: z.int(), token: z.string(), token_expires_at: time.nullable() }).meta({ id: 'RunnerRegistration' });

export const LintResult = z
  .looseObject({
    valid: z.boolean(),
    errors: z.array(z.string()),
    warnings: z.array(z.string()),
    merged_yaml: z.string().nullable(),
    includes: z.array(z.looseObject({})).nullable(),
    jobs: z.array(z.looseObject({ name: z.string(), stage: z.string() })).optional().meta({ description: 'Only with `include_jobs=true`' }),
  })
  .meta({ id: 'LintResult' });

/** What `POST /jobs/request` hands a runner (GitLab's `Entities::Ci::JobRequest::Response`). */
export const JobRequestResponse = z
  .looseObject({
    id: z.int(),
    token: z.string(),
    allow_git_fetch: z.boolean(),
    job_info: z.looseObject({ id: z.int(), name: z.string(), stage: z.string(), project_id: z.int(), project_name: z.string() }),
    git_info: z.looseObject({ repo_url: z.string(), ref: z.string(), sha: z.string(), before_sha: z.string(), ref_type: z.string() }),
    runner_info: z.looseObject({ timeout: z.int() }),
    variables: z.array(z.looseObject({ key: z.string(), value: z.string(), public: z.boolean() })),
    steps: z.array(z.looseObject({ name: z.string(), script: z.array(z.string()), timeout: z.int(), when: z.string(), allow_failure: z.boolean() })),
    image: z.looseObject({}).nullable(),
    services: z.array(z.looseObject({})).nullable(),
    artifacts: z.array(z.looseObject({})).nullable(),
    cache: z.array(z.looseObject({})).nullable(),
    credentials: z.array(z.looseObject({})),
    dependencies: z.array(z.looseObject({})),
    features: z.looseObject({}),
  })
  .meta({ id: 'JobRequestResponse' });

export const Metadata = z
  .object({
    version: z.string(),
    revision: z.string(),
    kas: z.object({ enabled: z.boolean(), externalUrl: z.string().nullable(), version: z.string().nullable() }),
    enterprise: z.boolean(),
  })
  .meta({ id: 'Metadata' });

export const Commit = z
  .object({
    id: z.string(),
    short_id: z.string(),
    created_at: z.string(),
    parent_ids: z.array(z.string()),
    title: z.string(),
    message: z.string(),
    author_name: z.string(),
    author_email: z.string(),
    authored_date: z.string(),
    committer_name: z.string(),
    committer_email: z.string(),
    committed_date: z.string(),
    trailers: z.record(z.string(), z.string()),
    extended_trailers: z.record(z.string(), z.array(z.string())),
    web_url: z.string(),
    stats: z.object({ additions: z.int(), deletions: z.int(), total: z.int() }).optional().meta({ description: 'With `with_stats=true` (in a list) or `stats=true` (the default, on one)' }),
  })
  .meta({ id: 'Commit' });

export const CommitDetail = Commit.extend({
  status: PIPELINE_STATUS.nullable(),
  project_id: z.int(),
  last_pipeline: PipelineBasic.nullable(),
}).meta({ id: 'CommitDetail' });

export const Branch = z
  .object({
    name: z.string(),
    commit: Commit,
    merged: z.boolean(),
    protected: z.boolean(),
    developers_can_push: z.boolean(),
    developers_can_merge: z.boolean(),
    can_push: z.boolean(),
    default: z.boolean(),
    web_url: z.string(),
  })
  .meta({ id: 'Branch' });

export const Tag = z
  .object({ name: z.string(), message: z.string(), target: z.string(), commit: Commit, release: z.looseObject({}).nullable(), protected: z.boolean(), created_at: time.nullable() })
  .meta({ id: 'Tag' });

export const TreeItem = z
  .object({ id: z.string(), name: z.string(), type: z.enum(['tree', 'blob', 'commit']), path: z.string(), mode: z.string() })
  .meta({ id: 'TreeItem' });

/** What `POST`/`PUT …/repository/files/:file_path` answer. */
export const FileWritten = z.object({ file_path: z.string(), branch: z.string() }).meta({ id: 'RepositoryFileWritten' });

/** A file of the repository at a ref, its content base64. */
export const RepositoryFile = z
  .object({
    file_name: z.string(),
    file_path: z.string(),
    size: z.int(),
    encoding: z.literal('base64'),
    content_sha256: z.string(),
    ref: z.string(),
    blob_id: z.string(),
    commit_id: z.string(),
    last_commit_id: z.string(),
    execute_filemode: z.boolean(),
    content: z.string(),
  })
  .meta({ id: 'RepositoryFile' });

export const Variable = z
  .object({
    variable_type: z.enum(['env_var', 'file']),
    key: z.string(),
    value: z.string().nullable().meta({ description: 'null for a hidden variable' }),
    hidden: z.boolean(),
    protected: z.boolean(),
    masked: z.boolean(),
    raw: z.boolean(),
    environment_scope: z.string().optional().meta({ description: 'Project variables only' }),
    description: z.string().nullable(),
  })
  .meta({ id: 'Variable' });

export const Trigger = z
  .object({
    id: z.int(),
    token: z.string().meta({ description: 'In full only for whom may administer it, else its first four characters' }),
    description: z.string(),
    created_at: time,
    updated_at: time,
    last_used: time.nullable(),
    expires_at: time.nullable(),
    owner: UserBasic.nullable(),
  })
  .meta({ id: 'Trigger' });

export const Runner = z
  .object({
    id: z.int(),
    description: z.string().nullable(),
    ip_address: z.string().nullable(),
    active: z.boolean(),
    paused: z.boolean(),
    is_shared: z.boolean(),
    runner_type: z.enum(['instance_type', 'group_type', 'project_type']),
    name: z.string().nullable(),
    online: z.boolean().nullable(),
    status: z.enum(['online', 'offline', 'stale', 'never_contacted', 'paused']),
  })
  .meta({ id: 'Runner' });

export const PipelineSchedule = z
  .object({
    id: z.int(),
    description: z.string(),
    ref: z.string(),
    cron: z.string(),
    cron_timezone: z.string(),
    next_run_at: time.nullable(),
    active: z.boolean(),
    created_at: time,
    updated_at: time,
    owner: UserBasic.nullable(),
  })
  .meta({ id: 'PipelineSchedule' });

export const PipelineScheduleDetails = PipelineSchedule.extend({
  last_pipeline: PipelineBasic.nullable(),
  variables: z
    .array(z.object({ variable_type: z.enum(['env_var', 'file']), key: z.string(), value: z.string(), raw: z.boolean() }))
    .optional()
    .meta({ description: 'Only for whom may read them' }),
}).meta({ id: 'PipelineScheduleDetails' });
