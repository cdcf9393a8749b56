import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import type { TransactItem } from '../../storage/transact';
import { jobKey, PERIODIC_JOBS, periodicSortKey } from './keys';

/**
 * Periodic parents by their next launch (GSI3, `PERIODIC` / `<launch ms>#<namespace>#<id>`), so a
 * tick reads only the parents that are due.
 */
export interface DueLaunch {
  namespace: string;
  jobId: string;
  due: number;
}

export async function listDueLaunches(now: number): Promise<DueLaunch[]> {
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK <= :now',
    ExpressionAttributeValues: { ':pk': PERIODIC_JOBS, ':now': `${String(now).padStart(15, '0')}#\uffff` },
    ProjectionExpression: 'GSI3SK',
  });
  return items.map((item) => {
    const [due, namespace, ...id] = (item.GSI3SK as string).split('#');
    return { due: Number(due), namespace, jobId: id.join('#') };
  });
}

/** Moves the parent from launch `due` to `next` (`null`: no more launches), only if it is still due then. */
export function moveNextLaunch(namespace: string, jobId: string, due: number, next: number | null): TransactItem {
  const names = { '#pk': 'GSI3PK', '#sk': 'GSI3SK' };
  const values: Record<string, unknown> = { ':due': periodicSortKey(due, namespace, jobId) };
  let expression = 'REMOVE #pk, #sk';
  if (next !== null) {
    values[':pk'] = PERIODIC_JOBS;
    values[':next'] = periodicSortKey(next, namespace, jobId);
    expression = 'SET #pk = :pk, #sk = :next';
  }
  return {
    Update: {
      TableName: config().tableName,
      Key: jobKey(namespace, jobId),
      UpdateExpression: expression,
      ConditionExpression: '#sk = :due',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}
