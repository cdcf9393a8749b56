import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { jobPk } from './keys';

/**
 * A job's items of one kind, by sort key prefix (`EVAL#`, `ALLOC#`, `VERSION#`, …), read
 * consistently from its partition in sort key order, or in reverse (`newestFirst`, for the kinds
 * whose sort keys are zero-padded numbers).
 */
export function queryJobItems(namespace: string, jobId: string, prefix: string, options: { newestFirst?: boolean; projection?: string } = {}): Promise<Record<string, any>[]> {
  return queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': jobPk(namespace, jobId), ':prefix': prefix },
    ScanIndexForward: !options.newestFirst,
    ProjectionExpression: options.projection,
    ConsistentRead: true,
  });
}
