import { config } from '../../config';
import type { TransactItem } from '../../storage/transact';
import type { PlannedAllocUpdate, PlannedInPlaceUpdate, PlannedStop } from '../scheduler/types';
import { allocItem, type StoredAlloc } from './allocs';

/**
 * The allocation writes of an applied plan (worker/plan-apply.ts), each conditioned so that it
 * commits at most once and only on the allocation as the plan saw it.
 */
type AllocKey = Record<string, string>;

/** A new allocation; fails the transaction if its ID is taken. */
export function putNewAllocItem(stored: StoredAlloc): TransactItem {
  return { Put: { TableName: config().tableName, Item: allocItem(stored), ConditionExpression: 'attribute_not_exists(PK)' } };
}

interface AllocChange {
  sets: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
  condition: string;
}

/** A conditional update of one of the job's allocations that also moves its modify indexes and time. */
function allocUpdate(key: AllocKey, change: AllocChange, index: number, nowNanos: number): TransactItem {
  return {
    Update: {
      TableName: config().tableName,
      Key: key,
      UpdateExpression: `SET ${[...change.sets, '#modify = :index', '#allocModify = :index', '#time = :time'].join(', ')}`,
      ConditionExpression: change.condition,
      ExpressionAttributeNames: { ...change.names, '#modify': 'ModifyIndex', '#allocModify': 'AllocModifyIndex', '#time': 'ModifyTime' },
      ExpressionAttributeValues: { ...change.values, ':index': index, ':time': nowNanos },
    },
  };
}

/** Stops an allocation (optionally recording its replacement): once, by condition. */
export function stopAllocItem(key: AllocKey, stop: PlannedStop, index: number, nowNanos: number): TransactItem {
  const names: Record<string, string> = { '#desired': 'DesiredStatus', '#description': 'DesiredDescription', '#live': 'Live' };
  const values: Record<string, unknown> = { ':stop': 'stop', ':description': stop.desiredDescription, ':false': false };
  const sets = ['#desired = :stop', '#description = :description', '#live = :false'];
  if (stop.clientStatus) {
    names['#client'] = 'ClientStatus';
    values[':client'] = stop.clientStatus;
    sets.push('#client = :client');
  }
  let condition: string;
  if (stop.wasLive) {
    values[':true'] = true;
    condition = '#live = :true';
  } else {
    values[':run'] = 'run';
    condition = '#desired = :run';
  }
  if (stop.replacedBy) {
    names['#next'] = 'NextAllocation';
    values[':next'] = stop.replacedBy;
    values[':none'] = '';
    sets.push('#next = :next');
    condition += ' AND (attribute_not_exists(#next) OR #next = :none)';
  }
  return allocUpdate(key, { sets, names, values, condition }, index, nowNanos);
}

/** Moves a live allocation to the job version (and deployment) of an in-place update. */
export function inPlaceAllocItem(key: AllocKey, update: PlannedInPlaceUpdate, index: number, nowNanos: number): TransactItem {
  const names: Record<string, string> = { '#version': 'JobVersion', '#jmi': 'JobModifyIndex', '#deployment': 'DeploymentID', '#live': 'Live' };
  const values: Record<string, unknown> = { ':version': update.jobVersion, ':jmi': update.jobModifyIndex, ':deployment': update.deploymentId, ':true': true };
  const sets = ['#version = :version', '#jmi = :jmi', '#deployment = :deployment'];
  if (update.joinsDeployment) {
    names['#health'] = 'DeploymentStatus';
    values[':null'] = null;
    sets.push('#health = :null');
  }
  return allocUpdate(key, { sets, names, values, condition: '#live = :true' }, index, nowNanos);
}

/** Records the follow-up evaluation of an allocation that has none yet. */
export function followupStampItem(key: AllocKey, update: PlannedAllocUpdate, index: number): TransactItem {
  return {
    Update: {
      TableName: config().tableName,
      Key: key,
      UpdateExpression: 'SET #followup = :followup, #modify = :index',
      // An item leaves FollowupEvalID out while it is empty (allocs.ts).
      ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(#followup) OR #followup = :none)',
      ExpressionAttributeNames: { '#followup': 'FollowupEvalID', '#modify': 'ModifyIndex' },
      ExpressionAttributeValues: { ':followup': update.followupEvalId, ':index': index, ':none': '' },
    },
  };
}
