import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients';

/**
 * The first item a query finds: for lookups by a key that names one item, such as an ID in a
 * sparse secondary index.
 */
export async function queryFirst(input: QueryCommandInput): Promise<Record<string, any> | undefined> {
  const result = await dynamo().send(new QueryCommand({ ...input, Limit: 1 }));
  return result.Items?.[0];
}
