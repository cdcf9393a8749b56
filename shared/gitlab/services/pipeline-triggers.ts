import { randomBytes } from 'node:crypto';
import { findTokenRecord } from '../../auth/store/token-store';
import { TransactionConflict } from '../../storage/transact';
import { accessLevelIn, projectAccess } from '../auth/policy';
import { TRIGGER_TOKEN_PREFIX } from '../entities/trigger';
import { GitLabError, validationError } from '../errors';
import type { JobRecord, PipelineVariable, ProjectRecord, TriggerRecord, UserRecord } from '../records';
import { nextId } from '../store/counters';
import { getJob } from '../store/jobs';
import { findTriggerByToken, insertTrigger, putTrigger } from '../store/triggers';
import { getUser } from '../store/users';
import { createPipeline } from './pipeline-engine';

/**
 * Pipeline trigger tokens and the pipelines they create (`Ci::PipelineTriggerService`): a trigger
 * token runs a pipeline as the trigger's owner (`source: trigger`), a running job's CI_JOB_TOKEN as
 * the job's user (`source: pipeline`). Both get the given variables and `TRIGGER_PAYLOAD`, a file
 * variable with the request's params.
 */
export async function createTrigger(project: ProjectRecord, owner: UserRecord, description: string): Promise<TriggerRecord> {
  const now = Date.now();
  const trigger: TriggerRecord = {
    id: await nextId('trigger'),
    projectId: project.id,
    ownerId: owner.id,
    description,
    token: `${TRIGGER_TOKEN_PREFIX}${randomBytes(20).toString('hex')}`,
    createdAt: now,
    updatedAt: now,
    lastUsed: null,
  };
  await insertTrigger(trigger);
  return trigger;
}

export interface TriggerRequest {
  project: ProjectRecord;
  token: string;
  ref: string;
  variables: Record<string, string>;
  /** The params as GitLab serialises them into TRIGGER_PAYLOAD (without the token). */
  payload: Record<string, unknown>;
}

/** The running job a CI_JOB_TOKEN belongs to, or undefined; a token of a job no longer running is refused. */
async function jobOfToken(token: string): Promise<JobRecord | undefined> {
  const record = await findTokenRecord(token);
  if (!record || record.kind !== 'gitlab-job' || record.revoked) return undefined;
  const job = await getJob(Number(record.claims.jobId));
  if (!job) return undefined;
  if (job.status !== 'running') throw new GitLabError(401, { message: 'Job is not running' });
  return job;
}

async function mayCreatePipeline(user: UserRecord, project: ProjectRecord): Promise<boolean> {
  if (user.state !== 'active') return false;
  return (await accessLevelIn({ kind: 'user', user, scopes: ['api'] }, project.id)) >= 30;
}

/** `last_used`; a trigger deleted meanwhile has nothing to record it on. */
async function recordUse(trigger: TriggerRecord): Promise<void> {
  try {
    await putTrigger({ ...trigger, lastUsed: Date.now() });
  } catch (error) {
    if (!(error instanceof TransactionConflict)) throw error;
  }
}

/** The pipeline, or undefined when neither a trigger of this project nor a job that may see it owns the token (GitLab's 404). */
export async function triggerPipeline(request: TriggerRequest) {
  const { project } = request;
  const variables: PipelineVariable[] = [
    ...Object.entries(request.variables).map(([key, value]): PipelineVariable => ({ key, value, variableType: 'env_var' })),
    { key: 'TRIGGER_PAYLOAD', value: JSON.stringify(request.payload), variableType: 'file' },
  ];
  const trigger = await findTriggerByToken(request.token);
  let user: UserRecord | undefined;
  let source: 'trigger' | 'pipeline';
  if (trigger) {
    if (trigger.projectId !== project.id) return undefined;
    user = await getUser(trigger.ownerId);
    source = 'trigger';
  } else {
    const job = await jobOfToken(request.token);
    if (!job) return undefined;
    user = await getUser(job.userId);
    if (!user || !(await projectAccess({ kind: 'user', user, scopes: ['api'] }, project)).visible) return undefined;
    source = 'pipeline';
  }
  if (!user || !(await mayCreatePipeline(user, project))) throw validationError({ base: ['Insufficient permissions to create a new pipeline'] });
  const created = await createPipeline({ project, user, ref: request.ref, source, variables });
  if (trigger) await recordUse(trigger);
  return { ...created, user };
}
