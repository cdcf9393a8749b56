import type { RunParameter } from '../records';

/**
 * The variables a run's pipeline gets (pure): the run's `parameter` values, then CodeArts's
 * system-defined parameters, which a run cannot override: BUILDNUMBER (the daily build number),
 * INCREASENUM (build_no), TIMESTAMP, PROJECT_ID (the CodeArts project), JOB_NAME, EXECUTOR and,
 * when the run names them, GIT_TAG, COMMIT_ID and COMMIT_ID_SHORTER.
 */
export interface RunContext {
  buildNo: number;
  dailyBuildNumber: string;
  createdAt: number;
  codeartsProjectId: string;
  jobName: string;
  executor: string;
  parameters: readonly RunParameter[];
  scm: { buildTag: string | null; buildCommitId: string | null };
}

/** `20240501083000`, as CodeArts's TIMESTAMP (UTC here). */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export const DAY_MS = 86_400_000;

/** `20240501`: the UTC day a daily build number counts in. */
export function utcDay(ms: number): string {
  return timestamp(ms).slice(0, 8);
}

/** When that UTC day ends. */
export function utcDayEnd(ms: number): number {
  return (Math.floor(ms / DAY_MS) + 1) * DAY_MS;
}

export function runVariables(run: RunContext): Record<string, string> {
  const variables: Record<string, string> = Object.fromEntries(run.parameters.map((parameter) => [parameter.name, parameter.value]));
  Object.assign(variables, {
    BUILDNUMBER: run.dailyBuildNumber,
    INCREASENUM: String(run.buildNo),
    TIMESTAMP: timestamp(run.createdAt),
    PROJECT_ID: run.codeartsProjectId,
    JOB_NAME: run.jobName,
    EXECUTOR: run.executor,
  });
  if (run.scm.buildTag) variables.GIT_TAG = run.scm.buildTag;
  if (run.scm.buildCommitId) {
    variables.COMMIT_ID = run.scm.buildCommitId;
    variables.COMMIT_ID_SHORTER = run.scm.buildCommitId.slice(0, 8);
  }
  return variables;
}
