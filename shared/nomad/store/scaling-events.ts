import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import type { TransactItem } from '../../storage/transact';
import { jobPk, scaleEventSk } from './keys';
import { queryJobItems } from './job-items';

/** Scaling events (`SCALEEVENT#<group>#<index>` in the job's partition); Nomad keeps the newest 20 per group. */
const JOB_TRACKED_SCALING_EVENTS = 20;

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

/**
 * The event is kept as JSON text: its Meta is the caller's free-form map, which as a DynamoDB map
 * could nest deeper than the 32 levels DynamoDB takes, or hold keys it refuses.
 */
export function putScalingEvent(namespace: string, jobId: string, group: string, event: ScalingEvent): TransactItem {
  return {
    Put: {
      TableName: config().tableName,
      Item: { PK: jobPk(namespace, jobId), SK: scaleEventSk(group, event.CreateIndex), Group: group, Event: JSON.stringify(event) },
    },
  };
}

/** Each group's events, newest first. */
export async function readScalingEvents(namespace: string, jobId: string): Promise<Map<string, ScalingEvent[]>> {
  const items = await queryJobItems(namespace, jobId, 'SCALEEVENT#', { newestFirst: true });
  const byGroup = new Map<string, ScalingEvent[]>();
  for (const item of items) {
    const events = byGroup.get(item.Group) ?? [];
    // Events written before they were kept as text are maps.
    events.push((typeof item.Event === 'string' ? JSON.parse(item.Event) : item.Event) as ScalingEvent);
    byGroup.set(item.Group, events);
  }
  return byGroup;
}

export async function pruneScalingEvents(namespace: string, jobId: string, group: string): Promise<void> {
  const items = await queryJobItems(namespace, jobId, `SCALEEVENT#${group}#`, { newestFirst: true, projection: 'PK, SK' });
  for (const item of items.slice(JOB_TRACKED_SCALING_EVENTS)) {
    await dynamo().send(new DeleteCommand({ TableName: config().tableName, Key: { PK: item.PK, SK: item.SK } }));
  }
}
