import { projectAccess, can } from '../auth/policy';
import { GitLabError } from '../errors';
import type { JobRecord, PipelineRecord, PipelineVariable } from '../records';
import { isCompleted, type JobStatus } from '../state/statuses';
import { transitionFields } from '../state/transition-fields';
import { transact, TransactionConflict } from '../../storage/transact';
import { getJob, updateJob } from '../store/jobs';
import { touchPipeline } from '../store/pipelines';
import { getProject, getProjectByPath } from '../store/projects';
import { getUser } from '../store/users';
import { expandVariables } from '../ci-config/expand-variables';
import { refSlug } from '../ci-config/pipeline';
import { childConfigText } from './child-config';
import type { CreatePipelineInput } from './pipeline-records';

/**
 * Bridge jobs (`trigger:`): when one becomes pending it creates its downstream pipeline, a child
 * pipeline of this project from local files, or a pipeline of another project. Without
 * `strategy: depend` the bridge succeeds once that pipeline exists; with it, the bridge mirrors
 * the downstream pipeline's final status. These are a bridge's steps; creating the downstream
 * pipeline and processing both is the engine's (pipeline-engine.ts).
 */
export class BridgeFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export async function moveBridge(bridge: JobRecord, changes: Partial<JobRecord>, expected: JobStatus[]): Promise<boolean> {
  try {
    await transact([updateJob(bridge, changes, expected), touchPipeline(bridge.pipelineId)]);
    return true;
  } catch (error) {
    if (error instanceof TransactionConflict) return false;
    throw error;
  }
}

/** The predefined variables a bridge's forwarded values may name. */
function bridgeVariables(bridge: JobRecord, pipeline: PipelineRecord): Record<string, string> {
  return {
    CI_PIPELINE_ID: String(pipeline.id),
    CI_PIPELINE_IID: String(pipeline.iid),
    CI_PIPELINE_SOURCE: pipeline.source,
    CI_COMMIT_SHA: pipeline.sha,
    CI_COMMIT_REF_NAME: pipeline.ref,
    CI_COMMIT_REF_SLUG: refSlug(pipeline.ref),
    CI_PROJECT_ID: String(pipeline.projectId),
    CI_JOB_ID: String(bridge.id),
    CI_JOB_NAME: bridge.name,
    ...Object.fromEntries(pipeline.variables.map((variable) => [variable.key, variable.value])),
  };
}

/** GitLab's limit on nested pipelines: a parent, its children and their children. */
const MAX_DEPTH = 2;

/** What the bridge's downstream pipeline is created from, once the bridge may create it. */
export async function downstreamInput(bridge: JobRecord, pipeline: PipelineRecord): Promise<CreatePipelineInput> {
  const trigger = bridge.definition.trigger!;
  const depth = (pipeline.depth ?? 0) + 1;
  if (depth > MAX_DEPTH) throw new BridgeFailure('reached_max_descendant_pipelines_depth');
  const user = await getUser(bridge.userId);
  if (!user) throw new BridgeFailure('insufficient_bridge_permissions');
  const variables: PipelineVariable[] = [];
  if (trigger.forwardYamlVariables) {
    // Expanded as GitLab's `Ci::Bridge#downstream_variables` does (`PARENT_PIPELINE_ID: $CI_PIPELINE_ID`).
    const known = { ...bridgeVariables(bridge, pipeline), ...bridge.definition.variables };
    for (const [key, value] of Object.entries(bridge.definition.variables)) variables.push({ key, value: expandVariables(value, known), variableType: 'env_var' });
  }
  if (trigger.forwardPipelineVariables) variables.push(...pipeline.variables);
  try {
    if (trigger.include.length > 0 || trigger.includeEntries) {
      const configText = await childConfigText(trigger, bridge.pipelineId);
      if (configText === undefined) throw new BridgeFailure('downstream_pipeline_creation_failed');
      const project = await getProject(bridge.projectId);
      if (!project) throw new BridgeFailure('downstream_bridge_project_not_found');
      return { project, user, ref: pipeline.ref, source: 'parent_pipeline', variables, configText, sourceJobId: bridge.id, depth };
    }
    const project = await getProjectByPath(trigger.project!);
    if (!project) throw new BridgeFailure('downstream_bridge_project_not_found');
    const access = await projectAccess({ kind: 'user', user, scopes: ['api'] }, project);
    if (!access.visible) throw new BridgeFailure('downstream_bridge_project_not_found');
    if (!can(access, 'create_pipeline')) throw new BridgeFailure('insufficient_bridge_permissions');
    const ref = trigger.branch ?? project.defaultBranch;
    if (!ref) throw new BridgeFailure('downstream_pipeline_creation_failed');
    return { project, user, ref, source: 'pipeline', variables, sourceJobId: bridge.id, depth };
  } catch (error) {
    throw asBridgeFailure(error);
  }
}

/** GitLab fails the bridge when its downstream pipeline cannot be created. */
export function asBridgeFailure(error: unknown): unknown {
  return error instanceof GitLabError ? new BridgeFailure('downstream_pipeline_creation_failed') : error;
}

/** The bridge moves from pending to running; false when another writer moved it first. */
export async function runBridge(bridge: JobRecord): Promise<JobRecord | undefined> {
  const now = Date.now();
  const running = { ...bridge, ...transitionFields(bridge, 'running', now) };
  return (await moveBridge(bridge, { status: 'running', startedAt: now, updatedAt: now }, ['pending'])) ? running : undefined;
}

/** The bridge's changes once its downstream pipeline exists, or could not be created. */
export function bridgeOutcome(bridge: JobRecord, downstream: PipelineRecord | BridgeFailure): Partial<JobRecord> {
  if (downstream instanceof BridgeFailure) return { ...transitionFields(bridge, 'failed', Date.now()), failureReason: downstream.reason };
  const changes: Partial<JobRecord> = { downstreamPipelineId: downstream.id };
  if (bridge.definition.trigger!.strategy !== 'depend') Object.assign(changes, transitionFields(bridge, 'success', Date.now()));
  else if (isCompleted(downstream.status)) Object.assign(changes, mirrorFields(bridge, downstream.status));
  return changes;
}

function mirrorFields(bridge: JobRecord, status: JobStatus): Partial<JobRecord> {
  const fields = transitionFields(bridge, status, Date.now());
  if (status === 'failed') fields.failureReason = 'unknown_failure';
  return fields;
}

/**
 * A child pipeline changed status: a bridge with `strategy: depend` takes its final status.
 * Answers the pipeline of the bridge it moved.
 */
export async function mirrorDownstream(downstream: PipelineRecord): Promise<number | undefined> {
  if (!isCompleted(downstream.status) || downstream.sourceJobId === undefined) return undefined;
  const bridge = await getJob(downstream.sourceJobId);
  if (!bridge || bridge.definition.trigger?.strategy !== 'depend' || bridge.status !== 'running') return undefined;
  return (await moveBridge(bridge, mirrorFields(bridge, downstream.status), ['running'])) ? bridge.pipelineId : undefined;
}
