import { SERVER_DATACENTER } from '../services/server-identity';
import type { NodeEvalResult } from '../services/node-actions';

/** Nomad's NodeUpdateResponse, with the one server (the API, at the address it was reached at) as leader. */
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
