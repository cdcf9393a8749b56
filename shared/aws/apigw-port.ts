import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { config } from '../config';
import { tracedClient } from '../observability/tracing';

/**
 * The action relay's ConnectionPort (shared/nomad/services/action-relay.ts) on AWS: connections of
 * the API Gateway WebSocket API, written to with `postToConnection` and closed with
 * `DeleteConnection`. A caller's frames can reach us while its own $connect is still being
 * answered, when API Gateway refuses posts to it (410): a post is retried for up to about a
 * second before the connection counts as gone.
 */
const GONE_RETRIES = 10;

let client: ApiGatewayManagementApiClient | undefined;
function management(): ApiGatewayManagementApiClient {
  client ??= tracedClient(new ApiGatewayManagementApiClient({ endpoint: config().actionsCallbackUrl }));
  return client;
}

export class ApiGatewayPort {
  /** A close asked for while the connection is still in $connect becomes the $connect answer. */
  refused: { code: number; reason: string } | undefined;

  constructor(private readonly connecting?: string) {}

  async send(connectionId: string, data: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await management().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(data) }));
        return true;
      } catch (error) {
        if (!(error instanceof GoneException)) throw error;
        if (attempt >= GONE_RETRIES) return false;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async close(connectionId: string, code: number, reason: string): Promise<void> {
    if (connectionId === this.connecting) {
      this.refused = { code, reason };
      return;
    }
    try {
      await management().send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!(error instanceof GoneException)) throw error;
    }
  }
}
