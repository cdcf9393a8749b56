import type { UserRecord } from '../records';
import { deploymentStatus, type DeploymentView, type EnvironmentView } from '../state/environments';
import type { PresentContext } from './context';
import { iso } from './format';
import { jobEntity } from './job';
import { userBasic } from './user';

/** `EnvironmentBasic`, `Environment` and `Deployment` as the environments and deployments APIs answer them. */
export function environmentBasic(view: Pick<EnvironmentView, 'environment'>) {
  const { environment } = view;
  return {
    id: environment.id,
    name: environment.name,
    slug: environment.slug,
    external_url: environment.externalUrl,
    created_at: iso(environment.createdAt),
    updated_at: iso(environment.updatedAt),
  };
}

export function environmentEntity(view: EnvironmentView) {
  return {
    ...environmentBasic(view),
    tier: view.environment.tier,
    state: view.state,
    auto_stop_at: iso(view.autoStopAt),
    auto_stop_setting: 'always',
    description: null,
    kubernetes_namespace: null,
    flux_resource_path: null,
    cluster_agent: null,
  };
}

export function deploymentEntity(view: DeploymentView, environment: EnvironmentView | undefined, context: PresentContext) {
  const { deployment, job } = view;
  const user: UserRecord | undefined = context.users.get(deployment.userId);
  return {
    id: deployment.id,
    iid: deployment.iid,
    ref: deployment.ref,
    sha: deployment.sha,
    created_at: iso(deployment.createdAt),
    updated_at: iso(job?.updatedAt ?? deployment.createdAt),
    status: deploymentStatus(job?.status ?? 'canceled'),
    user: user ? userBasic(user) : null,
    environment: environment ? environmentBasic(environment) : null,
    deployable: job ? jobEntity(job, context) : null,
  };
}
