import { SERVER_DATACENTER } from '../services/server-identity';
import type { NodeEvalResult } from '../services/node-actions';
import type { HeartbeatResult } from '../services/node-heartbeat';
import type { RegisterNodeResult } from '../services/register-node';
import type { NodeHeartbeatResponse, NodeRegisterResponse } from './client-protocol';

/**
 * Nomad's NodeUpdateResponse, the answer of Node.Register, Node.UpdateStatus, Node.Evaluate and
 * Node.Deregister. Register and heartbeat are our HTTP form of those RPCs, which only our agent
 * calls: they answer the fields it reads (wire/client-protocol.ts).
 */
/** A Go time.Duration: nanoseconds. */
function goDuration(ms: number): number {
  return ms * 1_000_000;
}

export function nodeRegisterResponse(result: RegisterNodeResult): NodeRegisterResponse {
  return {
    Index: result.index,
    HeartbeatTTL: goDuration(result.heartbeatTtlMs),
    NodeID: result.node.ID,
    EvalIDs: result.evals.map((evaluation) => evaluation.ID),
    EvalCreateIndex: result.evals[0]?.CreateIndex ?? 0,
    NodeModifyIndex: result.index,
  };
}

export function nodeHeartbeatResponse(result: HeartbeatResult): NodeHeartbeatResponse {
  return { HeartbeatTTL: goDuration(result.heartbeatTtlMs), Index: result.index, EvalIDs: result.evalIds };
}

/** Node.Evaluate and Node.Deregister, with the one server (the API, at the address it was reached at) as leader. */
export function nodeUpdateResponse(result: NodeEvalResult, serverAddress: string) {
  return {
    HeartbeatTTL: 0,
    EvalIDs: result.evalIds,
    EvalCreateIndex: result.evalCreateIndex,
    NodeModifyIndex: result.nodeModifyIndex,
    Features: 0,
    LeaderRPCAddr: serverAddress,
    NumNodes: result.numNodes,
    Servers: [{ RPCAdvertiseAddr: serverAddress, RPCMajorVersion: 1, RPCMinorVersion: 1, Datacenter: SERVER_DATACENTER }],
    SchedulingEligibility: '',
    Index: result.index,
    LastContact: 0,
    KnownLeader: false,
    NextToken: '',
  };
}
