// Lambda entry point of the WebSocket API for job actions: $connect, $default and $disconnect
// events of callers and agents, relayed by shared/nomad/http/apigw-relay.ts.
import { handleWebSocketEvent, type WebSocketEvent } from '../shared/nomad/http/apigw-relay';
import { traced } from '../shared/observability/tracing';

export const handler = traced('actions', async (event: WebSocketEvent): Promise<{ statusCode: number; body?: string }> => handleWebSocketEvent(event));
