import type { NodeUpdateResult } from '../services/node-drain';

/**
 * Nomad's NodeDrainUpdateResponse, and NodeEligibilityUpdateResponse (the same fields). The api
 * package's WriteMeta (LastIndex, RequestTime) is in the body too, as the Go client reads it.
 */
export function nodeDrainUpdateResponse(result: NodeUpdateResult) {
  return {
    EvalIDs: result.evalIds,
    EvalCreateIndex: result.evalCreateIndex,
    NodeModifyIndex: result.nodeModifyIndex,
    Index: result.index,
    LastIndex: result.index,
    RequestTime: 0,
  };
}

export const nodeEligibilityUpdateResponse = nodeDrainUpdateResponse;
