import { nextIndex } from '../../storage/index-clock';
import { transact } from '../../storage/transact';
import { badRequest, conflict, notFound } from '../errors';
import { readJobAllocs } from '../store/allocs';
import { listJobDeployments } from '../store/deployments';
import { readJob } from '../store/jobs';
import { pruneScalingEvents, putScalingEvent, readScalingEvents, type ScalingEvent } from '../store/scaling-events';
import { isActiveDeployment } from '../structs/deployment';
import type { Job } from '../structs/job';
import type { JobWriteOutcome } from '../structs/job-write-outcome';
import { registerJob } from './register-job';

/**
 * Reading and changing a job's scale (Job.ScaleStatus, Job.Scale). A scale with a Count is a
 * register of the job with that group's count changed (new version, `job-scaling` evaluation);
 * either way a scaling event is recorded with it.
 */
export interface ScaleRequest {
  namespace: string;
  jobId: string;
  group?: string;
  count?: number | null;
  message?: string;
  error?: boolean;
  meta?: Record<string, unknown> | null;
  jobModifyIndex?: number;
}

/** A group's scale as Job.ScaleStatus counts it: the current registration's allocations, canaries aside. */
export interface GroupScale {
  desired: number;
  placed: number;
  running: number;
  healthy: number;
  unhealthy: number;
  /** Newest first, at most 20. */
  events: ScalingEvent[] | null;
}

export async function readJobScale(namespace: string, jobId: string): Promise<{ job: Job; groups: Map<string, GroupScale> }> {
  const [record, allocs, events] = await Promise.all([readJob(namespace, jobId), readJobAllocs(namespace, jobId), readScalingEvents(namespace, jobId)]);
  if (!record) throw notFound('job not found');
  const { job } = record;
  const current = allocs.filter((stored) => stored.live && stored.jobCreateIndex === job.CreateIndex && !stored.alloc.DeploymentStatus?.Canary);
  const groups = new Map<string, GroupScale>();
  for (const group of job.TaskGroups) {
    const placed = current.filter((stored) => stored.alloc.TaskGroup === group.Name);
    groups.set(group.Name, {
      desired: group.Count,
      placed: placed.length,
      running: placed.filter((stored) => stored.alloc.ClientStatus === 'running').length,
      healthy: placed.filter((stored) => stored.alloc.DeploymentStatus?.Healthy === true).length,
      unhealthy: placed.filter((stored) => stored.alloc.DeploymentStatus?.Healthy === false).length,
      events: events.get(group.Name)?.slice(0, 20) ?? null,
    });
  }
  return { job, groups };
}

/** A scaling event's Message and Meta are stored with it, in one DynamoDB item; Nomad has no bound. */
export const MAX_SCALING_EVENT_BYTES = 64 * 1024;

export async function scaleJob(request: ScaleRequest): Promise<JobWriteOutcome> {
  if (!request.group) throw badRequest('missing task group name for scaling action');
  if (request.count !== undefined && request.count !== null) {
    if (request.count < 0) throw badRequest("scaling action count can't be negative");
    if (request.error) throw badRequest('scaling action should not contain count if error is true');
  }
  const record = await readJob(request.namespace, request.jobId);
  if (!record) throw notFound(`job "${request.jobId}" not found`);
  const { job } = record;
  const group = job.TaskGroups.find((candidate) => candidate.Name === request.group);
  if (!group) throw badRequest(`task group "${request.group}" specified for scaling does not exist in job`);
  if (request.jobModifyIndex && request.jobModifyIndex !== job.JobModifyIndex) {
    throw conflict(`Enforcing job modify index ${request.jobModifyIndex}: job exists with conflicting job modify index: ${job.JobModifyIndex}`);
  }
  const count = request.count ?? undefined;
  if (count !== undefined) {
    const scaling = group.Scaling;
    if (scaling && count < scaling.Min) throw badRequest(`group count was less than scaling policy minimum: ${count} < ${scaling.Min}`);
    if (scaling && scaling.Max > 0 && count > scaling.Max) throw badRequest(`group count was greater than scaling policy maximum: ${count} > ${scaling.Max}`);
    if (job.Type === 'system' && count > 1) throw badRequest(`jobs of type "system" can only be scaled between 0 and 1`);
    const deployments = await listJobDeployments(request.namespace, request.jobId);
    if (deployments.some((deployment) => isActiveDeployment(deployment.Status) && deployment.JobCreateIndex === job.CreateIndex)) {
      throw badRequest('job scaling blocked due to active deployment');
    }
  }
  const size = Buffer.byteLength(JSON.stringify({ Message: request.message, Meta: request.meta }));
  if (size > MAX_SCALING_EVENT_BYTES) throw badRequest(`scaling event is ${size} bytes as JSON; at most ${MAX_SCALING_EVENT_BYTES} are allowed`);
  const event = (index: number, evalId: string | null): ScalingEvent => ({
    Time: Date.now() * 1_000_000,
    Count: count ?? null,
    PreviousCount: group.Count,
    Message: request.message ?? '',
    Error: request.error ?? false,
    Meta: request.meta && Object.keys(request.meta).length > 0 ? request.meta : null,
    EvalID: evalId,
    CreateIndex: index,
  });
  let outcome: JobWriteOutcome;
  if (count === undefined) {
    const index = nextIndex();
    await transact([putScalingEvent(job.Namespace, job.ID, group.Name, event(index, null))]);
    outcome = { jobModifyIndex: job.ModifyIndex, index };
  } else {
    const scaled = structuredClone(job);
    scaled.TaskGroups.find((candidate) => candidate.Name === group.Name)!.Count = count;
    const result = await registerJob({
      job: scaled,
      namespace: job.Namespace,
      enforceIndex: true,
      jobModifyIndex: job.JobModifyIndex,
      evalPriority: 0,
      preserveCounts: false,
      triggeredBy: 'job-scaling',
      extraItems: (_job, index, evaluation) => [putScalingEvent(job.Namespace, job.ID, group.Name, event(index, evaluation?.ID ?? null))],
    });
    const { evaluation, jobModifyIndex, warnings, index } = result;
    outcome = { evaluation, jobModifyIndex, warnings, index };
  }
  await pruneScalingEvents(job.Namespace, job.ID, group.Name).catch(() => undefined);
  return outcome;
}
