import { findToken, hashSecret, newSecret, putToken, revokeToken } from '../../auth/store/token-store';
import { forbidden } from '../errors';
import type { RunnerRecord } from '../records';
import { nextId } from '../store/counters';
import { getProject, updateProject } from '../store/projects';
import { deleteRunner, getRunner, newQueueValue, putRunner } from '../store/runners';

/**
 * Runners and their tokens: a runner authenticates with a `glrt-` token (kind `gitlab-runner`);
 * the legacy registration flow trades a project's registration token for a new runner.
 */
export type RunnerAttributes = Pick<RunnerRecord, 'description' | 'tagList' | 'runUntagged' | 'paused' | 'locked' | 'accessLevel' | 'maximumTimeout' | 'maintenanceNote'> & {
  info?: Record<string, unknown>;
};

export async function createRunner(
  scope: { runnerType: 'instance_type' } | { runnerType: 'project_type'; projectId: number },
  attributes: RunnerAttributes,
  createdBy: number | null,
): Promise<{ runner: RunnerRecord; token: string }> {
  const runner: RunnerRecord = {
    ...attributes,
    id: await nextId('runner'),
    runnerType: scope.runnerType,
    projectIds: scope.runnerType === 'project_type' ? [scope.projectId] : [],
    createdAt: Date.now(),
    contactedAt: null,
    createdBy,
    queueValue: newQueueValue(),
    info: attributes.info ?? {},
  };
  const token = newSecret('glrt-');
  await putToken(token, { kind: 'gitlab-runner', name: `runner-${runner.id}`, accessorId: `runner-${runner.id}`, claims: { runnerId: runner.id } });
  await putRunner(runner);
  return { runner, token };
}

/** The runner a `glrt-` token belongs to; GitLab answers 403 for anything else. */
export async function authenticateRunner(token: string): Promise<{ runner: RunnerRecord; secretHash: string }> {
  const record = await findToken(token);
  if (!record || record.kind !== 'gitlab-runner' || record.claims.runnerId === undefined) throw forbidden();
  const runner = await getRunner(Number(record.claims.runnerId));
  if (!runner) throw forbidden();
  return { runner, secretHash: record.secretHash };
}

/** A new registration token for a project (the old one stops working). */
export async function resetProjectRegistrationToken(projectId: number): Promise<string> {
  const project = await getProject(projectId);
  const token = newSecret('GR1348941');
  await putToken(token, { kind: 'gitlab-runner', name: `registration-${projectId}`, claims: { registrationProjectId: projectId } });
  if (project?.runnersTokenHash) await revokeToken(project.runnersTokenHash).catch(() => undefined);
  await updateProject(projectId, { runnersTokenHash: hashSecret(token) });
  return token;
}

/** `POST /runners`: a registration token of a project → a new project runner. */
export async function registerRunner(registrationToken: string, attributes: RunnerAttributes): Promise<{ runner: RunnerRecord; token: string }> {
  const record = await findToken(registrationToken);
  const projectId = Number(record?.claims.registrationProjectId);
  if (!record || record.kind !== 'gitlab-runner' || !Number.isInteger(projectId)) throw forbidden();
  const project = await getProject(projectId);
  if (!project || project.runnersTokenHash !== record.secretHash) throw forbidden();
  return createRunner({ runnerType: 'project_type', projectId }, attributes, null);
}

export async function unregisterRunner(token: string): Promise<void> {
  const { runner, secretHash } = await authenticateRunner(token);
  await deleteRunner(runner.id);
  await revokeToken(secretHash);
}

export async function resetRunnerToken(token: string): Promise<{ runner: RunnerRecord; token: string }> {
  const { runner, secretHash } = await authenticateRunner(token);
  const fresh = newSecret('glrt-');
  await putToken(fresh, { kind: 'gitlab-runner', name: `runner-${runner.id}`, claims: { runnerId: runner.id } });
  await revokeToken(secretHash);
  return { runner, token: fresh };
}
