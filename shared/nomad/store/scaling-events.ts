import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import type { TransactItem } from '../../storage/transact';
import { jobPk, scaleEventSk } from './keys';

/** Scaling events (`SCALEEVENT#<group>#<index>` in the job's partition); Nomad keeps the newest 20 per group. */
export const JOB_TRACKED_SCALING_EVENTS = 20;

export interface ScalingEvent {
  Time: number;
  Count: number | null;
  PreviousCount: number;
  Message: string;
  Error: boolean;
  Meta: Record<string, unknown> | null;
  EvalID: string | null;
  CreateIndex: number;
}

export function putScalingEvent(namespace: string, jobId: string, group: string, event: ScalingEvent): TransactItem {
  return {
    Put: {
      TableName: config().tableName,
      Item: { PK: jobPk(namespace, jobId), SK: scaleEventSk(group, event.CreateIndex), Group: group, Event: event },
    },
  };
}

/** Each group's events, newest first. */
export async function readScalingEvents(namespace: string, jobId: string): Promise<Map<string, ScalingEvent[]>> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': jobPk(namespace, jobId), ':prefix': 'SCALEEVENT#' },
    ScanIndexForward: false,
    ConsistentRead: true,
  });
  const byGroup = new Map<string, ScalingEvent[]>();
  for (const item of items) {
    const events = byGroup.get(item.Group) ?? [];
    events.push(item.Event as ScalingEvent);
    byGroup.set(item.Group, events);
  }
  return byGroup;
}

export async function pruneScalingEvents(namespace: string, jobId: string, group: string): Promise<void> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': jobPk(namespace, jobId), ':prefix': `SCALEEVENT#${group}#` },
    ProjectionExpression: 'PK, SK',
    ScanIndexForward: false,
  });
  for (const item of items.slice(JOB_TRACKED_SCALING_EVENTS)) {
    await dynamo().send(new DeleteCommand({ TableName: config().tableName, Key: { PK: item.PK, SK: item.SK } }));
  }
}
