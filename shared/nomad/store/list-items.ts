import { config } from '../../config';
import { beyondSortKeys } from '../../storage/key-limits';
import { queryAll } from '../../storage/query-all';

/**
 * Every item of one of the cluster-wide GSI1 lists (`NODES`, `NAMESPACES`, `ACLPOLICIES`), in sort
 * key (name) order; with `prefix`, only those whose sort key starts with it.
 */
export async function queryListItems(list: string, prefix?: string): Promise<Record<string, any>[]> {
  if (beyondSortKeys(prefix)) return [];
  const values: Record<string, unknown> = { ':pk': list };
  let condition = 'GSI1PK = :pk';
  if (prefix) {
    values[':prefix'] = prefix;
    condition += ' AND begins_with(GSI1SK, :prefix)';
  }
  return queryAll({ TableName: config().tableName, IndexName: 'GSI1', KeyConditionExpression: condition, ExpressionAttributeValues: values });
}
