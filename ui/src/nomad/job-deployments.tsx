import { useAction } from '../action';
import { nomad } from '../api';
import { useBlocking } from '../data';
import { Failure, Section, Status } from '../view';

interface DeploymentGroup {
  AutoRevert: boolean;
  AutoPromote: boolean;
  Promoted: boolean;
  DesiredCanaries: number;
  DesiredTotal: number;
  PlacedAllocs: number;
  HealthyAllocs: number;
  UnhealthyAllocs: number;
  PlacedCanaries?: string[] | null;
}

interface Deployment {
  ID: string;
  JobVersion: number;
  Status: string;
  StatusDescription: string;
  TaskGroups: Record<string, DeploymentGroup> | null;
}

const ACTIVE = new Set(['running', 'paused', 'pending', 'blocked', 'unblocking', 'initializing']);

/** Whether canaries wait for a promotion: placed, not promoted, and the deployment still going. */
function awaitsPromotion(deployment: Deployment): boolean {
  return ACTIVE.has(deployment.Status) && Object.values(deployment.TaskGroups ?? {}).some((group) => group.DesiredCanaries > 0 && !group.Promoted);
}

/** A job's deployments, newest first, with promote (canaries) and fail for the one in progress. */
export function JobDeployments({ base, namespace }: { base: string; namespace: string }) {
  const deployments = useBlocking<Deployment[]>(`${base}/deployments?namespace=${encodeURIComponent(namespace)}`);
  const action = useAction();
  if (deployments.data?.length === 0) return null;
  const steer = (verb: 'promote' | 'fail', deployment: Deployment) =>
    action.run(() => nomad('POST', `/deployment/${verb}/${deployment.ID}`, verb === 'promote' ? { DeploymentID: deployment.ID, All: true } : { DeploymentID: deployment.ID }));
  return (
    <Section title="Deployments">
      {deployments.error && <Failure error={deployments.error} />}
      {action.error && <Failure error={action.error} />}
      {deployments.data?.map((deployment) => (
        <div class="card" key={deployment.ID} data-deployment={deployment.ID}>
          <header class="section-head">
            <h3>
              <span class="mono">{deployment.ID.slice(0, 8)}</span> · v{deployment.JobVersion} · <Status value={deployment.Status} />
            </h3>
            {ACTIVE.has(deployment.Status) && (
              <div class="actions">
                {awaitsPromotion(deployment) && (
                  <button disabled={action.busy} onClick={() => steer('promote', deployment)}>
                    Promote canaries
                  </button>
                )}
                <button class="danger" disabled={action.busy} onClick={() => steer('fail', deployment)}>
                  Fail deployment
                </button>
              </div>
            )}
          </header>
          <p class="muted">{deployment.StatusDescription}</p>
          <table class="list">
            <thead>
              <tr>
                <th>Group</th>
                <th>Desired</th>
                <th>Canaries</th>
                <th>Placed</th>
                <th>Healthy</th>
                <th>Unhealthy</th>
                <th>Auto revert</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(deployment.TaskGroups ?? {}).map(([name, group]) => (
                <tr key={name}>
                  <td>{name}</td>
                  <td>{group.DesiredTotal}</td>
                  <td>
                    {group.DesiredCanaries > 0 ? `${group.PlacedCanaries?.length ?? 0}/${group.DesiredCanaries}${group.Promoted ? ' (promoted)' : ''}` : '–'}
                  </td>
                  <td>{group.PlacedAllocs}</td>
                  <td data-testid="healthy">{group.HealthyAllocs}</td>
                  <td>{group.UnhealthyAllocs}</td>
                  <td>{group.AutoRevert ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </Section>
  );
}
