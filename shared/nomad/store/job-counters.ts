import { config } from '../../config';
import type { TransactItem } from '../../storage/transact';
import type { SummaryDelta } from '../status/summary';
import { jobKey, SYSTEM_JOBS } from './keys';

/**
 * The job item update that goes into the same transaction as any change to the job's
 * allocations, evaluations or deployments: it moves the status counters and the summary, and
 * bumps ModifyIndex. Conditioned on the registration (CreateIndex) it was computed for, so changes
 * to allocations of a purged or re-registered job never leak into the new job's counters.
 */
export interface JobDelta {
  liveAllocs?: number;
  openEvals?: number;
  activeDeployments?: number;
  hadEval?: boolean;
  summary?: Record<string, SummaryDelta>;
  /** Queued allocations per group, set from the evaluation that last looked at the group. */
  queued?: Record<string, number>;
  /** The job's single blocked evaluation; null clears it. */
  blockedEvalId?: string | null;
  /** Marks the job's current version stable (a deployment succeeded); needs expectJobModifyIndex. */
  stable?: boolean;
  /** Only apply while the job is still at this JobModifyIndex. */
  expectJobModifyIndex?: number;
  /** Lists the job among the system jobs new nodes are evaluated for (true), or takes it off (false). */
  systemJob?: { namespace: string; listed: boolean };
}

export function jobDeltaUpdate(namespace: string, jobId: string, createIndex: number, delta: JobDelta, index: number): TransactItem {
  const names: Record<string, string> = { '#modify': 'ModifyIndex', '#create': 'CreateIndex' };
  const values: Record<string, unknown> = { ':modify': index, ':create': createIndex };
  const sets = ['#modify = :modify'];
  const adds: string[] = [];
  const removes: string[] = [];
  const add = (name: string, value: number | undefined) => {
    if (!value) return;
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    adds.push(`#${name} :${name}`);
  };
  add('LiveAllocs', delta.liveAllocs);
  add('OpenEvals', delta.openEvals);
  add('ActiveDeployments', delta.activeDeployments);
  if (delta.hadEval) {
    names['#had'] = 'HadEval';
    values[':true'] = true;
    sets.push('#had = :true');
  }
  const groups = new Set([...Object.keys(delta.summary ?? {}), ...Object.keys(delta.queued ?? {})]);
  if (groups.size > 0) {
    names['#summary'] = 'Summary';
    names['#summaryIndex'] = 'SummaryModifyIndex';
    sets.push('#summaryIndex = :modify');
  }
  [...groups].forEach((group, g) => {
    names[`#g${g}`] = group;
    for (const [bucket, value] of Object.entries(delta.summary?.[group] ?? {})) {
      if (!value) continue;
      names[`#${bucket}`] = bucket;
      values[`:g${g}${bucket}`] = value;
      adds.push(`#summary.#g${g}.#${bucket} :g${g}${bucket}`);
    }
    const queued = delta.queued?.[group];
    if (queued !== undefined) {
      names['#Queued'] = 'Queued';
      values[`:q${g}`] = queued;
      sets.push(`#summary.#g${g}.#Queued = :q${g}`);
    }
  });
  if (delta.blockedEvalId !== undefined) {
    names['#blocked'] = 'BlockedEvalID';
    if (delta.blockedEvalId === null) removes.push('#blocked');
    else {
      values[':blocked'] = delta.blockedEvalId;
      sets.push('#blocked = :blocked');
    }
  }
  if (delta.stable !== undefined) {
    names['#stable'] = 'Stable';
    values[':stable'] = delta.stable;
    sets.push('#stable = :stable');
  }
  if (delta.systemJob) {
    names['#gsi3pk'] = 'GSI3PK';
    names['#gsi3sk'] = 'GSI3SK';
    if (delta.systemJob.listed) {
      values[':systemJobs'] = SYSTEM_JOBS;
      values[':systemJobKey'] = `${delta.systemJob.namespace}#${jobId}`;
      sets.push('#gsi3pk = :systemJobs', '#gsi3sk = :systemJobKey');
    } else removes.push('#gsi3pk', '#gsi3sk');
  }
  let condition = 'attribute_exists(PK) AND #create = :create';
  if (delta.expectJobModifyIndex !== undefined) {
    names['#jmi'] = 'JobModifyIndex';
    values[':jmi'] = delta.expectJobModifyIndex;
    condition += ' AND #jmi = :jmi';
  }
  const expression = [`SET ${sets.join(', ')}`];
  if (adds.length) expression.push(`ADD ${adds.join(', ')}`);
  if (removes.length) expression.push(`REMOVE ${removes.join(', ')}`);
  return {
    Update: {
      TableName: config().tableName,
      Key: jobKey(namespace, jobId),
      UpdateExpression: expression.join(' '),
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}
