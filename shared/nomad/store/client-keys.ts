/**
 * Items behind the client-side features (agents' log chunks, Nomad-native service registrations,
 * action relaying), beside the ones listed in keys.ts:
 *   PK `ALLOCLOGS#<alloc id>`    SK `<task>#<stdout|stderr>#<offset, 16 digits>`  a shipped log chunk
 *   PK `JOB#<ns>#<job id>`       SK `SERVICE#<registration id>`                    a service registration
 *                                GSI4 `SERVICES#<ns>` / `<service name>#<registration id>`
 *   PK `AGENTCHANNEL#<node id>`  SK `AGENTCHANNEL`    the node's open action channel (its connection ID)
 *   PK `ACTIONSESSION#<id>`      SK `ACTIONSESSION`   an action session being relayed (TTL: an hour)
 *   PK `WSCONN#<connection id>`  SK `WSCONN`          on AWS, what a WebSocket API connection is (TTL: 3 hours)
 * Log chunk objects are `logs/<alloc id>/<task>/<type>/<offset, 16 digits>` in the bucket.
 */
import { S3_PREFIXES } from '../../storage/table-schema';
import { boundedKey } from './keys';
import type { LogType } from '../wire/client-protocol';

const pad = (offset: number) => String(offset).padStart(16, '0');

export function allocLogsPk(allocId: string): string {
  return `ALLOCLOGS#${allocId}`;
}

export function logChunkSk(task: string, type: LogType, offset: number): string {
  return `${logStreamPrefix(task, type)}${pad(offset)}`;
}

export function logStreamPrefix(task: string, type: LogType): string {
  return `${task}#${type}#`;
}

export function logObjectKey(allocId: string, task: string, type: LogType, offset: number): string {
  return `${S3_PREFIXES.logs}${allocId}/${task}/${type}/${pad(offset)}`;
}

export function serviceSk(registrationId: string): string {
  return `SERVICE#${registrationId}`;
}

export function servicesByNamespace(namespace: string): string {
  return boundedKey(`SERVICES#${namespace}`);
}

export function agentChannelKey(nodeId: string) {
  return { PK: `AGENTCHANNEL#${nodeId}`, SK: 'AGENTCHANNEL' };
}

export function actionSessionKey(sessionId: string) {
  return { PK: `ACTIONSESSION#${sessionId}`, SK: 'ACTIONSESSION' };
}

export function webSocketConnectionKey(connectionId: string) {
  return { PK: `WSCONN#${connectionId}`, SK: 'WSCONN' };
}
