/** Our records are stored as the item's attributes next to its keys; these strip the keys again. */
const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK', 'GSI4PK', 'GSI4SK'];

export function recordOf<T>(item: Record<string, unknown>): T {
  const record: Record<string, unknown> = { ...item };
  for (const key of KEY_ATTRIBUTES) delete record[key];
  return record as T;
}
