import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The node's ID and secret, kept where Nomad's client keeps them (`<data-dir>/client/client-id`
 * and `secret-id`), so a restarted agent is the same node and its allocations are still its own.
 */
export interface NodeIdentity {
  id: string;
  secretId: string;
}

function readOrCreate(file: string): string {
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (value) return value;
  }
  const value = randomUUID();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

export function loadNodeIdentity(dataDir: string): NodeIdentity {
  const dir = join(dataDir, 'client');
  mkdirSync(dir, { recursive: true });
  return { id: readOrCreate(join(dir, 'client-id')), secretId: readOrCreate(join(dir, 'secret-id')) };
}
