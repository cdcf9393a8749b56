import { config } from '../../config';
import { queryFirst } from '../../storage/query-first';
import { byId } from './keys';

/**
 * The evaluation, allocation or deployment item with this ID, whatever job it belongs to (GSI2;
 * eventually consistent). For requests that name the object by ID alone.
 */
export async function findItemById(kind: Parameters<typeof byId>[0], id: string): Promise<Record<string, any> | undefined> {
  return queryFirst({
    TableName: config().tableName,
    IndexName: 'GSI2',
    KeyConditionExpression: 'GSI2PK = :pk',
    ExpressionAttributeValues: { ':pk': byId(kind, id).GSI2PK },
  });
}
