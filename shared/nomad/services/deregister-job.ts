import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../aws/clients';
import { config } from '../../config';
import { nextIndex } from '../../storage/index-clock';
import { touchCollection } from '../../storage/table-index';
import { MAX_TRANSACT_ITEMS, transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { putNewEval } from '../store/evals';
import { JOBS_COLLECTION, jobKey } from '../store/keys';
import { putJobVersion, readJob, writeJobItem } from '../store/jobs';
import { isParentJob, type Job } from '../structs/job';
import { queueNewEvals } from '../worker/eval-queue';
import { newEval } from './new-eval';
import { queryJobItems } from '../store/job-items';

/**
 * Stopping a job (`DELETE /v1/job/:id`): a soft stop stores a new version with `Stop: true`;
 * `purge=true` deletes the job, its versions and submissions at once (allocations and
 * evaluations stay). Either way a `job-deregister` evaluation lets the scheduler stop what runs.
 */
export interface DeregisterRequest {
  namespace: string;
  jobId: string;
  purge: boolean;
  evalPriority: number;
}

export interface DeregisterResult {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  VolumeEvalID: string;
  VolumeEvalIndex: number;
  Index: number;
  LastContact: number;
  KnownLeader: boolean;
  NextToken: string;
}

function emptyResult(): DeregisterResult {
  return {
    EvalID: '',
    EvalCreateIndex: 0,
    JobModifyIndex: 0,
    VolumeEvalID: '',
    VolumeEvalIndex: 0,
    Index: 0,
    LastContact: 0,
    KnownLeader: false,
    NextToken: '',
  };
}

/** What is kept about the job besides its allocations and evaluations, deleted with it on purge. */
async function historyKeys(namespace: string, jobId: string) {
  const prefixes = ['VERSION#', 'SUBMISSION#', 'TAG#', 'SCALEEVENT#', 'DISPATCH#'];
  const pages = await Promise.all(
    prefixes.map((prefix) => queryJobItems(namespace, jobId, prefix, { projection: 'PK, SK, SourceKey' })),
  );
  const items = pages.flat();
  return {
    keys: items.map((item) => ({ PK: item.PK as string, SK: item.SK as string })),
    sources: items.flatMap((item) => (item.SourceKey ? [item.SourceKey as string] : [])),
  };
}

export async function deregisterJob(request: DeregisterRequest): Promise<DeregisterResult> {
  for (let attempt = 0; ; attempt++) {
    const existing = await readJob(request.namespace, request.jobId);
    if (!existing) return emptyResult();
    const index = nextIndex();
    const now = Date.now();
    const stored = existing.job;
    const evaluation = isParentJob(stored)
      ? undefined
      : newEval({
          namespace: stored.Namespace,
          jobId: stored.ID,
          // Nomad always files deregistrations under the service scheduler.
          type: 'service',
          priority: request.evalPriority || stored.Priority,
          triggeredBy: 'job-deregister',
          jobModifyIndex: index,
          index,
          now,
        });

    const items: TransactItem[] = [];
    let jobModifyIndex = stored.JobModifyIndex;
    if (request.purge) {
      const { keys: others, sources } = await historyKeys(stored.Namespace, stored.ID);
      items.push({
        Delete: {
          TableName: config().tableName,
          Key: jobKey(stored.Namespace, stored.ID),
          ConditionExpression: 'JobModifyIndex = :expected',
          ExpressionAttributeValues: { ':expected': stored.JobModifyIndex },
        },
      });
      // Versions beyond one transaction are deleted right after; the job item is what counts.
      const inline = others.slice(0, MAX_TRANSACT_ITEMS - 3);
      items.push(...inline.map((key) => ({ Delete: { TableName: config().tableName, Key: key } })));
      if (evaluation) items.push(putNewEval(evaluation));
      items.push(touchCollection(JOBS_COLLECTION, `${stored.Namespace}/${stored.ID}`, index));
      try {
        await transact(items);
      } catch (error) {
        if (error instanceof TransactionConflict && attempt < 5) continue;
        throw error;
      }
      for (let start = inline.length; start < others.length; start += MAX_TRANSACT_ITEMS) {
        await transact(others.slice(start, start + MAX_TRANSACT_ITEMS).map((key) => ({ Delete: { TableName: config().tableName, Key: key } })));
      }
      for (const source of sources) await s3().send(new DeleteObjectCommand({ Bucket: config().bucketName, Key: source }));
    } else {
      const job: Job = { ...structuredClone(stored), Stop: true };
      const changed = !stored.Stop;
      if (changed) {
        job.Version = stored.Version + 1;
        job.ModifyIndex = job.JobModifyIndex = jobModifyIndex = index;
        job.SubmitTime = now * 1_000_000;
        job.Stable = false;
      }
      items.push(
        writeJobItem({
          job,
          expectedJobModifyIndex: stored.JobModifyIndex,
          index,
          specChanged: changed,
          newEval: !!evaluation,
          // A stopped periodic job launches nothing more.
          nextLaunch: stored.Periodic ? null : undefined,
        }),
        touchCollection(JOBS_COLLECTION, `${stored.Namespace}/${stored.ID}`, index),
      );
      if (changed) items.push(putJobVersion(job));
      if (evaluation) items.push(putNewEval(evaluation));
      try {
        await transact(items);
      } catch (error) {
        if (error instanceof TransactionConflict && attempt < 5) continue;
        throw error;
      }
    }
    if (evaluation) await queueNewEvals([evaluation]);
    return {
      ...emptyResult(),
      EvalID: evaluation?.ID ?? '',
      EvalCreateIndex: evaluation ? index : 0,
      JobModifyIndex: jobModifyIndex,
      Index: index,
    };
  }
}
