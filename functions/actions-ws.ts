// Lambda entry point of the WebSocket API for job actions: $connect, $default and $disconnect
// events of callers and agents, relayed by shared/nomad/http/apigw-relay.ts.
import { handleWebSocketEvent, type WebSocketEvent } from '../shared/nomad/http/apigw-relay';

export async function handler(event: WebSocketEvent): Promise<{ statusCode: number; body?: string }> {
  return handleWebSocketEvent(event);
}
