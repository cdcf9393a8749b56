import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import type { PipelineRecord } from '../records';
import { queryAll } from '../../storage/query-all';
import { recordOf } from './item';
import { projectPipelinesIndex } from './keys';

/** A project's pipelines, newest first (or oldest first), optionally by status, ref, source and schedule, with their total count. */
export async function listProjectPipelines(
  projectId: number,
  options: { status?: string; ref?: string; source?: string; scheduleId?: number; ascending?: boolean; offset: number; limit: number },
): Promise<{ pipelines: PipelineRecord[]; hasMore: boolean; total: number }> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':pk': projectPipelinesIndex(projectId) };
  const filters: string[] = [];
  if (options.status) {
    names['#status'] = 'status';
    values[':status'] = options.status;
    filters.push('#status = :status');
  }
  if (options.ref) {
    names['#ref'] = 'ref';
    values[':ref'] = options.ref;
    filters.push('#ref = :ref');
  }
  if (options.source) {
    names['#source'] = 'source';
    values[':source'] = options.source;
    filters.push('#source = :source');
  }
  if (options.scheduleId !== undefined) {
    values[':schedule'] = options.scheduleId;
    filters.push('scheduleId = :schedule');
  }
  const base: QueryCommandInput = {
    TableName: config().tableName,
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    FilterExpression: filters.length ? filters.join(' AND ') : undefined,
    ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
    ExpressionAttributeValues: values,
    ScanIndexForward: options.ascending ?? false,
  };
  const matched: PipelineRecord[] = [];
  let total = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await dynamo().send(new QueryCommand({ ...base, ExclusiveStartKey: startKey }));
    for (const item of result.Items ?? []) {
      if (total >= options.offset && total < options.offset + options.limit) matched.push(recordOf<PipelineRecord>(item));
      total++;
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return { pipelines: matched, hasMore: total > options.offset + options.limit, total };
}

/** The ids of all a project's pipelines (deleting the project). */
export async function projectPipelineIds(projectId: number): Promise<number[]> {
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': projectPipelinesIndex(projectId) },
    ProjectionExpression: 'id',
  });
  return items.map((item) => Number(item.id));
}

/** The project's newest pipeline that `filter` keeps, read newest first a page at a time until one matches. */
async function newestProjectPipeline(
  projectId: number,
  filter: { expression: string; names?: Record<string, string>; values: Record<string, unknown> },
): Promise<PipelineRecord | undefined> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: config().tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        FilterExpression: filter.expression,
        ExpressionAttributeNames: filter.names,
        ExpressionAttributeValues: { ':pk': projectPipelinesIndex(projectId), ...filter.values },
        ScanIndexForward: false,
        Limit: 50,
        ExclusiveStartKey: startKey,
      }),
    );
    if (result.Items?.length) return recordOf<PipelineRecord>(result.Items[0]);
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return undefined;
}

/**
 * The newest pipeline of a ref that is not a child pipeline (GitLab's `Project#latest_pipeline`;
 * with `status: 'success'`, `latest_successful_pipeline_for_ref`).
 */
export function latestProjectPipeline(projectId: number, ref: string, status?: PipelineRecord['status']): Promise<PipelineRecord | undefined> {
  return newestProjectPipeline(projectId, {
    expression: `#ref = :ref AND #source <> :child${status ? ' AND #status = :status' : ''}`,
    names: { '#ref': 'ref', '#source': 'source', ...(status ? { '#status': 'status' } : {}) },
    values: { ':ref': ref, ':child': 'parent_pipeline', ...(status ? { ':status': status } : {}) },
  });
}

/** The project's newest pipeline for a commit (a commit's `last_pipeline`). */
export function latestPipelineForSha(projectId: number, sha: string): Promise<PipelineRecord | undefined> {
  return newestProjectPipeline(projectId, { expression: 'sha = :sha', values: { ':sha': sha } });
}
