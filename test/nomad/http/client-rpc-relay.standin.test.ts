import { beforeAll, describe, expect, it } from 'vitest';
import { handleWebSocketEvent } from '../../../shared/nomad/http/apigw-relay';
import { agentChannel } from '../../../shared/nomad/store/relay-sessions';
import { acceptReply, ReplyWaiter } from '../../../shared/nomad/services/reply-inbox';
import { callNode, streamNode } from '../../../shared/nomad/services/node-rpc';
import { api, testNode } from '../../support/nomad';
import { useFreshResources } from '../../support/resources';

/**
 * The way client RPC replies travel on AWS, without API Gateway: an agent's reply arrives as a
 * `$default` event of its channel connection (another Lambda than the one waiting for it), is
 * kept in the table, and is read back by the caller only for the node it asked, in order.
 */
const NODE = { ...testNode(1), SecretID: 'secret-1' };
const OTHER = { ...testNode(2), SecretID: 'secret-2' };
const connection = (node: { ID: string }) => `conn-${node.ID}`;

async function connectAgent(node: typeof NODE) {
  const headers = { 'X-Nomad-Node-ID': node.ID, 'X-Nomad-Node-Secret': node.SecretID };
  return handleWebSocketEvent({ requestContext: { routeKey: '$connect', connectionId: connection(node) }, queryStringParameters: { role: 'agent' }, headers });
}

const fromAgent = (node: { ID: string }, message: unknown) =>
  handleWebSocketEvent({ requestContext: { routeKey: '$default', connectionId: connection(node) }, body: JSON.stringify(message) });

beforeAll(async () => {
  await useFreshResources();
  for (const node of [NODE, OTHER]) expect((await api('PUT', '/v1/node/register', { Node: node })).status).toBe(200);
  for (const node of [NODE, OTHER]) expect(await connectAgent(node)).toEqual({ statusCode: 200 });
});

describe('client RPC replies through the WebSocket relay', () => {
  it('keep an agent’s reply for the caller that asked that node only', async () => {
    expect(await agentChannel(NODE.ID)).toBe(connection(NODE));
    const reply = { Type: 'rpc.reply', ID: 'req-1', Seq: 0, Done: true, BodyText: '{"Index":0}' };
    expect(await fromAgent(NODE, reply)).toEqual({ statusCode: 200 });
    expect(await fromAgent(OTHER, { ...reply, ID: 'req-2' })).toEqual({ statusCode: 200 });
    // Read back from the table, as the HTTP Lambda does on AWS (it was not listening when the reply came).
    expect(await new ReplyWaiter('req-1', NODE.ID).next(-1, 10)).toEqual([reply]);
    // A reply another node sent under a request it was not asked is not taken.
    expect(await new ReplyWaiter('req-2', NODE.ID).next(-1, 10)).toEqual([]);
  });

  it('hand a caller its parts as they arrive, in order even when they arrive out of order', async () => {
    const replies = new ReplyWaiter('req-3', NODE.ID);
    const started = Date.now();
    setTimeout(() => void acceptReply(NODE.ID, { Type: 'rpc.reply', ID: 'req-3', Seq: 0, Done: false }), 50);
    expect((await replies.next(-1, 5_000)).map((part) => part.Seq)).toEqual([0]);
    expect(Date.now() - started).toBeLessThan(4_000);

    await acceptReply(NODE.ID, { Type: 'rpc.reply', ID: 'req-3', Seq: 2, Done: true });
    await acceptReply(OTHER.ID, { Type: 'rpc.reply', ID: 'req-3', Seq: 1, Done: false });
    expect(await replies.next(0, 10)).toEqual([]);
    await acceptReply(NODE.ID, { Type: 'rpc.reply', ID: 'req-3', Seq: 1, Done: false, Piece: { Offset: 3, Data: 'YWJj', File: 'f' } });
    expect((await replies.next(0, 10)).map((part) => part.Seq)).toEqual([1, 2]);
    replies.close();
  });

  it('take alloc exec callers on the WebSocket API with the command in the query', async () => {
    const caller = (query: Record<string, string>) =>
      handleWebSocketEvent({ requestContext: { routeKey: '$connect', connectionId: `caller-${Math.random()}` }, queryStringParameters: query });
    expect(await caller({ alloc_id: 'a', task: 't', command: 'nope' })).toMatchObject({ statusCode: 400, body: expect.stringMatching(/^failed to marshal command into json: /) });
    expect(await caller({ alloc_id: 'a', task: 't', command: '["sh"]' })).toEqual({ statusCode: 400, body: 'Unknown allocation "a"' });
  });

  it('answer No path to node for a node whose channel is gone, Unknown node for one never registered', async () => {
    expect(await handleWebSocketEvent({ requestContext: { routeKey: '$disconnect', connectionId: connection(OTHER) } })).toEqual({ statusCode: 200 });
    await expect(callNode(OTHER.ID, 'ClientStats.Stats', {})).rejects.toMatchObject({ status: 404, message: 'No path to node' });
    await expect(streamNode('nope', 'FileSystem.Stream', {}, Date.now() + 1000)).rejects.toMatchObject({ status: 404, message: 'Unknown node nope' });
  });
});
