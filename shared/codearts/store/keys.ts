/**
 * Where CodeArts Build's objects live in the shared table. Partition keys start with `CB`.
 *
 *   PK `CBTASK#<job id>`  SK `TASK`                        a build task (+ its build counter and in-flight builds)
 *                         SK `DAILY#<yyyymmdd>`            the task's run count of one UTC day (TTL two days later)
 *                         SK `BUILD#<build no, padded>`    one build record (its pipeline and job, its stop)
 *
 * Secondary index (sparse):
 *   GSI1  `CBBUILDS#<job id>` / `<created at, padded>#<build no, padded>`  a task's builds by time
 *         (where history's `interval` begins)
 *
 * A task's GitLab side is an internal project `codearts-build/<job id>` (see pipeline/gitlab-builds.ts).
 */
export const pad = (value: number, width: number): string => String(value).padStart(width, '0');

export const taskPk = (jobId: string) => `CBTASK#${jobId}`;
export const taskKey = (jobId: string) => ({ PK: taskPk(jobId), SK: 'TASK' });
export const dailyKey = (jobId: string, day: string) => ({ PK: taskPk(jobId), SK: `DAILY#${day}` });
const BUILD_SK_PREFIX = 'BUILD#';
export const buildSk = (buildNo: number) => `${BUILD_SK_PREFIX}${pad(buildNo, 10)}`;
export const buildKey = (jobId: string, buildNo: number) => ({ PK: taskPk(jobId), SK: buildSk(buildNo) });
export const buildsByTime = (jobId: string) => `CBBUILDS#${jobId}`;
export const buildTimeSk = (createdAt: number, buildNo: number) => `${pad(createdAt, 15)}#${pad(buildNo, 10)}`;
