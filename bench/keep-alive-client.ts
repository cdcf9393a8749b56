import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/**
 * An HTTP client for benchmarks that set the API beside a raw SDK call: node:http over kept-alive
 * connections, the transport the SDK itself uses to reach DynamoDB, so both sides of a ratio pay
 * the same for their hop and the difference is the API's own work. (`fetch` costs several times
 * more per request in the client alone.)
 */
const agent = new Agent({ keepAlive: true });

export function call(method: string, url: string, body?: string): Promise<{ status: number; text: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, agent, headers: body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: response.headers }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export function closeConnections(): void {
  agent.destroy();
}
