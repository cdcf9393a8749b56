import { createHash } from 'node:crypto';
import { config } from '../../config';

/**
 * Who answers as Nomad's server. The control plane is one logical server (the API and its store)
 * however many Lambda instances run it: it is always the leader, its only peer is itself, and
 * its address is the one the caller reached it at.
 */
export const NOMAD_VERSION = '1.10.5';
/** A serverless control plane sits in no datacenter of its own; Nomad's default name is kept. */
export const SERVER_DATACENTER = 'dc1';
export const SERVER_NAME = 'jobplane';

/** A stable server ID per deployment (derived from its table), in UUID form. */
export function serverId(): string {
  const hex = createHash('sha256').update(config().tableName).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export interface ServerAddress {
  host: string;
  port: number;
}

/** Where the caller reached the API: Nomad's `<ip>:<port>` of the leader, as `host:port`. */
export function serverAddress(url: string): ServerAddress {
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  return { host: parsed.hostname, port };
}

export function addressText(address: ServerAddress): string {
  return `${address.host}:${address.port}`;
}
