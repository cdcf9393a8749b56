/**
 * Where GitLab's objects live in the shared table. All partition keys start with `GL` so they
 * never meet another dialect's.
 *
 *   PK `GLCOUNTER#<kind>`      SK `COUNTER`         integer id sequences (UpdateItem ADD)
 *   PK `GLUSER#<id>`           SK `USER`            a user
 *   PK `GLUSERNAME#<name>`     SK `NAME`            unique username → user id
 *   PK `GLPROJECT#<id>`        SK `PROJECT`         a project (+ its pipeline iid counter)
 *                              SK `MEMBER#<user id>` a member and their access level
 *                              SK `BRANCH#<name>`   a branch head (commit SHA)
 *                              SK `COMMIT#<sha>`    a commit (message, author, file tree)
 *                              SK `BLOB#<sha>`      file content (or a pointer to S3 `repository/`)
 *                              SK `VARIABLE#<key>#<environment scope>` a CI/CD variable
 *                                                   (COMMIT#/BRANCH#/BLOB#: the repository before git, migrated on first use)
 *                              SK `TRIGGER#<id, padded>` a pipeline trigger token
 *                              SK `SCHEDULE#<id, padded>` a pipeline schedule (with its variables)
 *                              SK `GIT#REF#<refname>` a git ref (`refs/heads/main` → object id)
 *                              SK `GIT#PACK#<name>` a packfile of the repository (pack and index in S3 `repository/`)
 *                              SK `RESOURCEGROUP#<key>` a resource group (its holder and waiting jobs)
 *                              SK `ENVIRONMENT#<name>` an environment
 *                              SK `DEPLOYMENT#<id, padded>` a deployment to one of its environments
 *                              SK `GIT#RETIRED#<name>` a pack replaced by a compaction, its files kept for readers a while
 *   PK `GLPROJECTPATH#<path>`  SK `PATH`            unique full path (lower case) → project id
 *   PK `GLTRIGGERTOKEN#<sha256>` SK `TRIGGER`     trigger token → project and trigger id
 *   PK `GLINSTANCEVARIABLES`   SK `VARIABLE#<key>`  an instance CI/CD variable (`/admin/ci/variables`)
 *   PK `GLSIGNINGKEY`          SK `KEY`             the instance key that signs CI ID tokens (`id_tokens`)
 *   PK `GLPIPELINE#<id>`       SK `PIPELINE`        a pipeline (status, jobsVersion)
 *                              SK `JOB#<id, padded>` its jobs and bridges, read with the pipeline in one query
 *   PK `GLJOB#<id>`            SK `JOB`             immutable pointer: job id → pipeline and project
 *   PK `GLRUNNER#<id>`         SK `RUNNER`          a runner (tags, queue value)
 *   PK `GLTRACE#<job id>`      SK `CHUNK#<gen>#<offset, padded>` one appended piece of the live trace
 *                              SK `CHUNK#<gen>#-`   a generation that starts empty (after an erase)
 *   PK `GLARTIFACTEXPIRY#<job id>` SK `EXPIRY`  when the job's artifacts expire (artifacts/expiry.ts)
 *
 * Secondary indexes (all sparse):
 *   GSI1  `GLPROJECTS` / `<id, padded>`                       every project (not one being deleted)
 *         `GLPROJECTS#deleting` / `<id, padded>`              projects whose deletion is under way
 *         `GLPROJECTJOBS#<project id>` / `<job id, padded>`   a project's builds, newest first
 *         `GLPROJECTPIPELINES#<project id>` / `<id, padded>`  a project's pipelines
 *         `GLRUNNERS` / `<id, padded>`                        all runners
 *   GSI3  `GLQUEUE#pending` / `<job id, padded>`              builds waiting for a runner, oldest first
 *         `GLQUEUE#scheduled` / `<due time, padded>#<job id>` delayed jobs waiting for their time
 *         `GLQUEUE#running` / `<stuck after, padded>#<job id>` running builds, by when they count as stuck
 *   GSI3  `GLSCHEDULES#due` / `<next run, padded>#<id>`      active pipeline schedules, by when they run next
 *   GSI2  `GLARTIFACTS#expiring` / `<expire at, padded>#<job id>` artifacts by expiry, for the sweeper
 *         `GLRUNNERJOBS#<runner id>` / `<job id, padded>`     the builds a runner took
 *   GSI4  `GLPIPELINES#unprocessed` / `<updated at>#<id>`     pipelines whose jobs changed since they
 *                                                             were last processed (crash recovery)
 */
export const pad = (value: number, width = 12): string => String(value).padStart(width, '0');

export const counterKey = (kind: string) => ({ PK: `GLCOUNTER#${kind}`, SK: 'COUNTER' });
export const userKey = (id: number) => ({ PK: `GLUSER#${id}`, SK: 'USER' });
export const usernameKey = (username: string) => ({ PK: `GLUSERNAME#${username.toLowerCase()}`, SK: 'NAME' });
export const projectPk = (id: number) => `GLPROJECT#${id}`;
export const projectKey = (id: number) => ({ PK: projectPk(id), SK: 'PROJECT' });
export const projectPathKey = (path: string) => ({ PK: `GLPROJECTPATH#${path.toLowerCase()}`, SK: 'PATH' });
export const memberKey = (projectId: number, userId: number) => ({ PK: projectPk(projectId), SK: `MEMBER#${pad(userId)}` });
export const branchKey = (projectId: number, name: string) => ({ PK: projectPk(projectId), SK: `BRANCH#${name}` });
export const commitKey = (projectId: number, sha: string) => ({ PK: projectPk(projectId), SK: `COMMIT#${sha}` });
export const VARIABLE_SK_PREFIX = 'VARIABLE#';
export const variableKey = (projectId: number, key: string, scope: string) => ({ PK: projectPk(projectId), SK: `${VARIABLE_SK_PREFIX}${key}#${scope}` });
export const INSTANCE_VARIABLES_PK = 'GLINSTANCEVARIABLES';
export const instanceVariableKey = (key: string) => ({ PK: INSTANCE_VARIABLES_PK, SK: `${VARIABLE_SK_PREFIX}${key}` });
export const GIT_SK_PREFIX = 'GIT#';
export const GIT_REF_PREFIX = 'GIT#REF#';
export const GIT_PACK_PREFIX = 'GIT#PACK#';
export const GIT_RETIRED_PREFIX = 'GIT#RETIRED#';
export const gitRefKey = (projectId: number, name: string) => ({ PK: projectPk(projectId), SK: `${GIT_REF_PREFIX}${name}` });
export const gitRetiredKey = (projectId: number, name: string) => ({ PK: projectPk(projectId), SK: `${GIT_RETIRED_PREFIX}${name}` });
export const gitPackKey = (projectId: number, name: string) => ({ PK: projectPk(projectId), SK: `${GIT_PACK_PREFIX}${name}` });
export const blobKey = (projectId: number, sha: string) => ({ PK: projectPk(projectId), SK: `BLOB#${sha}` });
export const pipelinePk = (id: number) => `GLPIPELINE#${id}`;
export const pipelineKey = (id: number) => ({ PK: pipelinePk(id), SK: 'PIPELINE' });
export const JOB_SK_PREFIX = 'JOB#';
export const jobKey = (pipelineId: number, jobId: number) => ({ PK: pipelinePk(pipelineId), SK: `${JOB_SK_PREFIX}${pad(jobId)}` });
export const jobPointerKey = (jobId: number) => ({ PK: `GLJOB#${jobId}`, SK: 'JOB' });
export const runnerKey = (id: number) => ({ PK: `GLRUNNER#${id}`, SK: 'RUNNER' });
export const tracePk = (jobId: number) => `GLTRACE#${jobId}`;
export const TRACE_CHUNK_PREFIX = 'CHUNK#';
export const traceChunkPrefix = (generation: number) => `${TRACE_CHUNK_PREFIX}${pad(generation, 6)}#`;
export const traceChunkKey = (jobId: number, generation: number, offset: number) => ({
  PK: tracePk(jobId),
  SK: `${traceChunkPrefix(generation)}${pad(offset, 15)}`,
});
/** Sorts before every chunk of its generation. */
export const traceGenerationKey = (jobId: number, generation: number) => ({ PK: tracePk(jobId), SK: `${traceChunkPrefix(generation)}-` });

export const projectJobsIndex = (projectId: number) => `GLPROJECTJOBS#${projectId}`;
export const projectPipelinesIndex = (projectId: number) => `GLPROJECTPIPELINES#${projectId}`;
export const RUNNERS_INDEX = 'GLRUNNERS';
export const runnerJobsIndex = (runnerId: number) => `GLRUNNERJOBS#${runnerId}`;
export const PROJECTS_INDEX = 'GLPROJECTS';
export const PROJECTS_BEING_DELETED = 'GLPROJECTS#deleting';
export const PENDING_QUEUE = 'GLQUEUE#pending';
export const SCHEDULED_QUEUE = 'GLQUEUE#scheduled';
export const RUNNING_QUEUE = 'GLQUEUE#running';
export const UNPROCESSED_PIPELINES = 'GLPIPELINES#unprocessed';
export const TRIGGER_SK_PREFIX = 'TRIGGER#';
export const triggerKey = (projectId: number, id: number) => ({ PK: projectPk(projectId), SK: `${TRIGGER_SK_PREFIX}${pad(id)}` });
export const triggerTokenKey = (tokenHash: string) => ({ PK: `GLTRIGGERTOKEN#${tokenHash}`, SK: 'TRIGGER' });
export const SCHEDULE_SK_PREFIX = 'SCHEDULE#';
export const scheduleKey = (projectId: number, id: number) => ({ PK: projectPk(projectId), SK: `${SCHEDULE_SK_PREFIX}${pad(id)}` });
export const DUE_SCHEDULES = 'GLSCHEDULES#due';
export const RESOURCE_GROUP_SK_PREFIX = 'RESOURCEGROUP#';
export const resourceGroupKey = (projectId: number, key: string) => ({ PK: projectPk(projectId), SK: `${RESOURCE_GROUP_SK_PREFIX}${key}` });
export const ENVIRONMENT_SK_PREFIX = 'ENVIRONMENT#';
export const environmentKey = (projectId: number, name: string) => ({ PK: projectPk(projectId), SK: `${ENVIRONMENT_SK_PREFIX}${name}` });
export const DEPLOYMENT_SK_PREFIX = 'DEPLOYMENT#';
export const deploymentKey = (projectId: number, id: number) => ({ PK: projectPk(projectId), SK: `${DEPLOYMENT_SK_PREFIX}${pad(id)}` });
export const signingKeyKey = () => ({ PK: 'GLSIGNINGKEY', SK: 'KEY' });
