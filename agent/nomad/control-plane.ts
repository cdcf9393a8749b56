import type { ChunkRef, ServiceRegistration as StoredRegistration } from '../../shared/nomad/wire/client-protocol';
import type { AgentChannelLocation, ClientAllocUpdate, LogUploadsResponse, NodeHeartbeatResponse, NodeRegisterResponse } from '../../shared/nomad/wire/client-protocol';
import type { Allocation } from '../../shared/nomad/structs/allocation';
import { ApiClient } from '../common/api-client';

/**
 * The calls a Nomad client node makes to the control plane: Nomad's node RPCs in their HTTP form
 * (register, heartbeat, the blocking allocation watch, status updates) and our agent extensions
 * under `/v1/client/agent/` (log chunk uploads, service registrations, the action channel).
 * Every call carries the agent's token and the node's ID and secret.
 */

/** A piece of a task's log, as the upload and commit calls name it. */
export type LogChunk = ChunkRef;

/** A service registration as the agent sends it (the server adds the indexes). */
export type ServiceRegistration = Omit<StoredRegistration, 'CreateIndex' | 'ModifyIndex'>;

export class ControlPlane {
  readonly http: ApiClient;

  constructor(baseUrl: string, token: string | undefined, readonly nodeId: string, secretId: string) {
    this.http = new ApiClient({ baseUrl, token, headers: { 'X-Nomad-Node-ID': nodeId, 'X-Nomad-Node-Secret': secretId } });
  }

  async register(node: Record<string, unknown>): Promise<NodeRegisterResponse> {
    return (await this.http.request<NodeRegisterResponse>('PUT', '/v1/node/register', { Node: node })).body;
  }

  async heartbeat(): Promise<NodeHeartbeatResponse> {
    return (await this.http.request<NodeHeartbeatResponse>('PUT', `/v1/node/${this.nodeId}/heartbeat`)).body;
  }

  /** Nomad's blocking query: returns when the node's allocations move past `index` or `wait` runs out. */
  async allocations(index: number, wait: string, signal?: AbortSignal): Promise<{ index: number; allocs: Allocation[] }> {
    const { body, headers } = await this.http.request<Allocation[]>('GET', `/v1/node/${this.nodeId}/allocations?index=${index}&wait=${wait}`, undefined, signal);
    return { index: Number(headers.get('X-Nomad-Index') ?? 0), allocs: body ?? [] };
  }

  async updateAllocs(allocs: ClientAllocUpdate[]): Promise<void> {
    await this.http.request('PUT', `/v1/node/${this.nodeId}/allocations`, { Allocs: allocs });
  }

  async logUploadUrls(allocId: string, chunks: LogChunk[]): Promise<LogUploadsResponse> {
    return (await this.http.request<LogUploadsResponse>('POST', '/v1/client/agent/logs/uploads', { AllocID: allocId, Chunks: chunks })).body;
  }

  async commitLogChunks(allocId: string, chunks: LogChunk[]): Promise<void> {
    await this.http.request('POST', '/v1/client/agent/logs/chunks', { AllocID: allocId, Chunks: chunks });
  }

  async services(upsert: ServiceRegistration[], remove: Pick<ServiceRegistration, 'ID' | 'Namespace' | 'JobID'>[]): Promise<void> {
    await this.http.request('POST', '/v1/client/agent/services', { Upsert: upsert, Delete: remove });
  }

  /** The WebSocket URL of the action channel (a path on this server, or an API Gateway URL). */
  async channelUrl(): Promise<string> {
    const { URL: url } = (await this.http.request<AgentChannelLocation>('GET', '/v1/client/agent/channel')).body;
    return url.startsWith('/') ? this.http.wsUrl(url) : url;
  }
}
