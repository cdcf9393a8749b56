import type { JobRecord, PipelineRecord } from '../records';
import { cancelTarget, forceCancelTarget } from '../state/job-events';
import { resourceGroupOf } from '../state/resource-groups';
import { transitionFields } from '../state/transition-fields';
import { transact } from '../../storage/transact';
import { updateJob } from '../store/jobs';
import { readPipelineWithJobs, touchPipeline } from '../store/pipelines';
import { archiveTrace } from '../traces/archive';
import { jobsToCancelIn, redundantPipelines } from './auto-cancel';
import { asBridgeFailure, BridgeFailure, bridgeOutcome, downstreamInput, mirrorDownstream, moveBridge, runBridge } from './bridges';
import { withFreshJob } from './fresh-job';
import { createPipelineRecords, type CreatePipelineInput } from './pipeline-records';
import { cancelOnJobFailure, latestJobs, processStoredPipeline, type PipelineRead } from './process-pipeline';
import { settleResourceGroups } from './resource-groups';
import { notifyRunners } from './runner-queue';

/**
 * GitLab's pipeline engine, the one recursion of the dialect: processing a pipeline moves jobs;
 * what follows (runners notified, pending bridges creating their downstream pipelines, a
 * downstream pipeline's status reaching its bridge) creates and processes pipelines in turn, and
 * creating a pipeline cancels what it makes redundant, which processes those. The steps it
 * composes (processing once, a new pipeline's records, a bridge's steps, what auto-cancel picks)
 * are in the modules below it, none of which calls back up here.
 */

/**
 * Processes the pipeline; answers it and all its jobs (retried ones included) as processing left
 * them, before what follows the transitions (a started bridge) moved anything further. Then the
 * resource groups its jobs use are settled: jobs (of any pipeline) that get a resource are
 * enqueued, and their pipelines processed in turn.
 */
export async function processPipelineNow(pipelineId: number): Promise<PipelineRead | undefined> {
  let processed = await processFollowed(pipelineId);
  if (processed && (await cancelOnJobFailure(processed))) processed = await processFollowed(pipelineId);
  if (!processed || !processed.jobs.some((job) => resourceGroupOf(job) !== null)) return processed;
  const assigned = await settleResourceGroups(latestJobs(processed.jobs));
  for (const pipeline of new Set(assigned.map((job) => job.pipelineId))) {
    const again = await processPipelineNow(pipeline);
    if (pipeline === pipelineId) processed = again;
    // Runners hear of the builds that got a resource, and bridges that got one start.
    if (again) await afterJobsChanged(again.pipeline, assigned.filter((job) => job.pipelineId === pipeline), again.pipeline.status);
  }
  return processed;
}

async function processFollowed(pipelineId: number): Promise<PipelineRead | undefined> {
  const processed = await processStoredPipeline(pipelineId);
  if (!processed) return undefined;
  const { pipeline, jobs, moved } = processed;
  if (moved) await afterJobsChanged(pipeline, moved.changed, moved.previousStatus);
  return { pipeline, jobs };
}

/**
 * What follows jobs changing status, outside the transaction that changed them: runners hear of
 * new pending builds, pending bridges create their downstream pipelines, and a child pipeline's
 * new status reaches the bridge that waits on it (`strategy: depend`).
 */
export async function afterJobsChanged(pipeline: PipelineRecord, changed: readonly JobRecord[], previousStatus: string): Promise<void> {
  const pending = changed.filter((job) => job.status === 'pending');
  await notifyRunners(pending.filter((job) => job.type === 'build'));
  for (const bridge of pending.filter((job) => job.type === 'bridge')) await startBridge(bridge, pipeline);
  if (pipeline.status !== previousStatus && pipeline.sourceJobId !== undefined) {
    const upstream = await mirrorDownstream(pipeline);
    if (upstream !== undefined) await processPipelineNow(upstream);
  }
}

async function startBridge(bridge: JobRecord, pipeline: PipelineRecord): Promise<void> {
  const running = await runBridge(bridge);
  if (!running) return;
  let downstream: PipelineRecord | BridgeFailure;
  try {
    const input = await downstreamInput(running, pipeline);
    try {
      downstream = (await createPipeline(input)).pipeline;
    } catch (error) {
      throw asBridgeFailure(error);
    }
  } catch (error) {
    if (!(error instanceof BridgeFailure)) throw error;
    downstream = error;
  }
  await moveBridge(running, bridgeOutcome(bridge, downstream), ['running']);
  await processPipelineNow(bridge.pipelineId);
}

/**
 * Creates a pipeline (pipeline-records.ts) and what follows: its first jobs start (runners, bridges),
 * the branch's redundant pipelines are canceled, and a pipeline stored unprocessed, or with jobs
 * waiting for a resource group's resource, is processed.
 */
export async function createPipeline(input: CreatePipelineInput): Promise<PipelineRead> {
  const created = await createPipelineRecords(input);
  if (created.changed) {
    await afterJobsChanged(created.pipeline, created.changed, 'created');
    await cancelRedundantPipelines(created.pipeline);
    if (created.jobs.some((job) => resourceGroupOf(job) !== null)) {
      const settled = (await processPipelineNow(created.pipeline.id))!;
      return { pipeline: settled.pipeline, jobs: settled.jobs };
    }
    return { pipeline: created.pipeline, jobs: created.jobs };
  }
  await processPipelineNow(created.pipeline.id);
  await cancelRedundantPipelines(created.pipeline);
  const read = (await readPipelineWithJobs(created.pipeline.id))!;
  return { pipeline: read.pipeline, jobs: read.jobs };
}

/** Cancels what a new branch pipeline makes redundant in the branch's older pipelines. */
async function cancelRedundantPipelines(pipeline: PipelineRecord): Promise<void> {
  for (const older of await redundantPipelines(pipeline)) {
    for (const job of await jobsToCancelIn(older)) await cancelJob(job, { force: false });
  }
}

/** Cancels a job (the Jobs API's `cancel`, `force_cancel`) and processes its pipeline. */
export async function cancelJob(read: JobRecord, options: { force: boolean }): Promise<JobRecord> {
  const pipelineId = await withFreshJob(read, async (job) => {
    const target = options.force ? forceCancelTarget(job) : cancelTarget(job);
    if (target) await transact([updateJob(job, transitionFields(job, target, Date.now()), [job.status]), touchPipeline(job.pipelineId)]);
    return job.pipelineId;
  });
  // Processing moves no canceled job further, so the job it read is the one to archive and answer.
  const processed = await processPipelineNow(pipelineId);
  return archiveTrace(processed!.jobs.find((job) => job.id === read.id)!);
}
