import type { DeploymentUpdateResult } from '../services/deployments';

/** Nomad's DeploymentUpdateResponse: promote, fail, pause and allocation health all answer it. */
export function deploymentUpdateResponse(result: DeploymentUpdateResult) {
  return {
    EvalID: result.evaluation?.ID ?? '',
    EvalCreateIndex: result.evaluation?.CreateIndex ?? 0,
    DeploymentModifyIndex: result.index,
    RevertedJobVersion: result.revertedJobVersion ?? null,
    Index: result.index,
  };
}
