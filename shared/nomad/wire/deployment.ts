import type { Deployment, DeploymentState } from '../structs/deployment';

/** Nomad's Deployment as its API writes it: fields in Nomad's order, every group's state complete. */
function groupState(state: DeploymentState): DeploymentState {
  return {
    AutoRevert: state.AutoRevert,
    AutoPromote: state.AutoPromote,
    ProgressDeadline: state.ProgressDeadline,
    RequireProgressBy: state.RequireProgressBy ?? null,
    Promoted: state.Promoted,
    PlacedCanaries: state.PlacedCanaries?.length ? state.PlacedCanaries : null,
    DesiredCanaries: state.DesiredCanaries,
    DesiredTotal: state.DesiredTotal,
    PlacedAllocs: state.PlacedAllocs,
    HealthyAllocs: state.HealthyAllocs,
    UnhealthyAllocs: state.UnhealthyAllocs,
  };
}

export function deploymentWire(deployment: Deployment): Deployment {
  return {
    ID: deployment.ID,
    Namespace: deployment.Namespace,
    JobID: deployment.JobID,
    JobVersion: deployment.JobVersion,
    JobModifyIndex: deployment.JobModifyIndex,
    JobSpecModifyIndex: deployment.JobSpecModifyIndex,
    JobCreateIndex: deployment.JobCreateIndex,
    IsMultiregion: deployment.IsMultiregion,
    TaskGroups: Object.fromEntries(Object.entries(deployment.TaskGroups).map(([name, state]) => [name, groupState(state)])),
    Status: deployment.Status,
    StatusDescription: deployment.StatusDescription,
    EvalPriority: deployment.EvalPriority,
    CreateIndex: deployment.CreateIndex,
    ModifyIndex: deployment.ModifyIndex,
  };
}
