import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { dynamo } from '../aws/clients';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit of items in one TransactWriteItems call. */
export const MAX_TRANSACT_ITEMS = 100;

/**
 * A transaction cancelled by DynamoDB; `failedConditions` holds the positions (in the items given)
 * whose condition did not hold, so a caller can drop exactly those and retry (partial commit).
 */
export class TransactionConflict extends Error {
  constructor(
    readonly failedConditions: number[],
    readonly reasons: (string | undefined)[],
  ) {
    super(`transaction cancelled: ${reasons.map((reason, i) => `${i}:${reason ?? 'None'}`).join(', ')}`);
  }

  /** Cancelled only because items conflicted with another transaction in flight. */
  get transient(): boolean {
    return this.failedConditions.length === 0;
  }
}

export async function transact(items: TransactItem[]): Promise<void> {
  if (items.length === 0) return;
  if (items.length > MAX_TRANSACT_ITEMS) throw new Error(`transaction of ${items.length} items exceeds ${MAX_TRANSACT_ITEMS}`);
  try {
    await dynamo().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const reasons = (error.CancellationReasons ?? []).map((reason) => reason.Code);
      const failed = reasons.flatMap((code, index) => (code === 'ConditionalCheckFailed' ? [index] : []));
      throw new TransactionConflict(failed, reasons);
    }
    throw error;
  }
}

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** What a conditional write answers, or `undefined` when its condition did not hold. */
export async function unlessConditionFails<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
