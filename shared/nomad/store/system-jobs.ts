import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { jobRecordFromItem, type JobRecord } from './jobs';
import { SYSTEM_JOBS } from './keys';

/** Every system job (GSI3), stopped ones included: what a node change may have to evaluate. */
export async function listSystemJobs(): Promise<JobRecord[]> {
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :pk',
    ExpressionAttributeValues: { ':pk': SYSTEM_JOBS },
  });
  return items.map(jobRecordFromItem);
}
