/**
 * Builds an UpdateItem expression from a plain object of attribute values (SET) and a list of
 * attributes to remove, with placeholder names so any attribute name is safe.
 */
export interface UpdateParts {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

export function buildUpdate(set: Record<string, unknown>, remove: string[] = [], add: Record<string, number> = {}): UpdateParts {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  const adds: string[] = [];
  let n = 0;
  for (const [name, value] of Object.entries(set)) {
    if (value === undefined) continue;
    names[`#u${n}`] = name;
    values[`:u${n}`] = value;
    sets.push(`#u${n} = :u${n}`);
    n++;
  }
  for (const name of remove) {
    names[`#u${n}`] = name;
    removes.push(`#u${n}`);
    n++;
  }
  for (const [name, amount] of Object.entries(add)) {
    names[`#u${n}`] = name;
    values[`:u${n}`] = amount;
    adds.push(`#u${n} :u${n}`);
    n++;
  }
  const clauses = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
    adds.length ? `ADD ${adds.join(', ')}` : '',
  ].filter(Boolean);
  return { UpdateExpression: clauses.join(' '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}
