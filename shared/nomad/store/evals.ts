import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import type { TransactItem } from '../../storage/transact';
import { isOpenEval, type Evaluation } from '../structs/evaluation';
import { findItemById } from './find-by-id';
import { byId, createOrderKeys, evalSk, jobPk, openEvalSortKey, openEvalsKey, openEvalsPartitions } from './keys';
import { queryJobItems } from './job-items';

/** Evaluation items: the Evaluation's own fields plus keys; open ones are also in GSI3. */
type Item = Record<string, any>;

const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK', 'GSI4PK', 'GSI4SK', 'GSI5PK', 'GSI5SK', 'GSI6PK', 'GSI6SK'];

function evalItem(evaluation: Evaluation): Item {
  const item: Item = {
    ...evaluation,
    PK: jobPk(evaluation.Namespace, evaluation.JobID),
    SK: evalSk(evaluation.ID),
    ...byId('EVAL', evaluation.ID),
    ...createOrderKeys('EVAL', evaluation.Namespace, evaluation.CreateIndex, evaluation.ID),
  };
  if (evaluation.Status === 'pending' || evaluation.Status === 'blocked') {
    item.GSI3PK = openEvalsKey(evaluation.Status, evaluation.ID);
    item.GSI3SK = openEvalSortKey(evaluation.CreateIndex, evaluation.ID);
  }
  return item;
}

export function evalFromItem(item: Item): Evaluation {
  const evaluation: Item = { ...item };
  for (const key of KEY_ATTRIBUTES) delete evaluation[key];
  return evaluation as Evaluation;
}

/** A new evaluation; the job's OpenEvals counter must move in the same transaction. */
export function putNewEval(evaluation: Evaluation): TransactItem {
  return {
    Put: {
      TableName: config().tableName,
      Item: evalItem(evaluation),
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/**
 * Replaces an evaluation, provided nobody else changed it since it was read at `expectedModifyIndex`.
 * That condition is what makes exactly one worker finish an evaluation.
 */
export function replaceEval(evaluation: Evaluation, expectedModifyIndex: number): TransactItem {
  return {
    Put: {
      TableName: config().tableName,
      Item: evalItem(evaluation),
      ConditionExpression: 'ModifyIndex = :expected',
      ExpressionAttributeValues: { ':expected': expectedModifyIndex },
    },
  };
}

/**
 * Fails an open evaluation by its key alone, leaving the job's counters be: the last resort for a
 * record too malformed to be finished the ordinary way, so it stops being sent again.
 */
export async function failOpenEval(evaluation: Pick<Evaluation, 'Namespace' | 'JobID' | 'ID'>, reason: string, index: number): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: { PK: jobPk(evaluation.Namespace, evaluation.JobID), SK: evalSk(evaluation.ID) },
      UpdateExpression: 'SET #status = :failed, StatusDescription = :reason, ModifyIndex = :index REMOVE GSI3PK, GSI3SK',
      ConditionExpression: '#status IN (:pending, :blocked)',
      ExpressionAttributeNames: { '#status': 'Status' },
      ExpressionAttributeValues: { ':failed': 'failed', ':reason': reason, ':index': index, ':pending': 'pending', ':blocked': 'blocked' },
    }),
  );
}

export async function readEval(namespace: string, jobId: string, evalId: string): Promise<Evaluation | undefined> {
  const result = await dynamo().send(
    new GetCommand({ TableName: config().tableName, Key: { PK: jobPk(namespace, jobId), SK: evalSk(evalId) }, ConsistentRead: true }),
  );
  return result.Item ? evalFromItem(result.Item) : undefined;
}

/** By ID alone (GSI2): for `GET /v1/evaluation/:id`. */
export async function findEval(evalId: string): Promise<Evaluation | undefined> {
  const item = await findItemById('EVAL', evalId);
  return item ? evalFromItem(item) : undefined;
}

export async function listJobEvals(namespace: string, jobId: string): Promise<Evaluation[]> {
  const items = await queryJobItems(namespace, jobId, 'EVAL#');
  return items.map(evalFromItem);
}

/** Open evaluations in creation order (GSI3, every shard), e.g. to enqueue again what a lost queue dropped. */
export async function listOpenEvals(status: 'pending' | 'blocked', createdBefore?: number): Promise<Evaluation[]> {
  let condition = 'GSI3PK = :pk';
  const bound: Record<string, unknown> = {};
  if (createdBefore !== undefined) {
    bound[':before'] = openEvalSortKey(createdBefore, '');
    condition += ' AND GSI3SK < :before';
  }
  const shards = await Promise.all(
    openEvalsPartitions(status).map((pk) =>
      queryAll({ TableName: config().tableName, IndexName: 'GSI3', KeyConditionExpression: condition, ExpressionAttributeValues: { ':pk': pk, ...bound } }),
    ),
  );
  const items = shards.flat().sort((a, b) => (a.GSI3SK < b.GSI3SK ? -1 : a.GSI3SK > b.GSI3SK ? 1 : 0));
  return items.map(evalFromItem).filter((evaluation) => isOpenEval(evaluation.Status));
}
