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
import { createPipeline } from './create-pipeline';
import { processPipelineNow } from './process-pipeline';

/**
 * Bridge jobs (`trigger:`): when one becomes pending it creates its downstream pipeline, a child
 * pipeline of this project from local files, or a pipeline of another project. Without
 * `strategy: depend` the bridge succeeds once that pipeline exists; with it, the bridge mirrors
 * the downstream pipeline's final status.
 */
class BridgeFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

async function moveBridge(bridge: JobRecord, changes: Partial<JobRecord>, expected: JobStatus[]): Promise<boolean> {
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

async function createDownstream(bridge: JobRecord, pipeline: PipelineRecord): Promise<PipelineRecord> {
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
      const { pipeline: child } = await createPipeline({
        project,
        user,
        ref: pipeline.ref,
        source: 'parent_pipeline',
        variables,
        configText,
        sourceJobId: bridge.id,
        depth,
      });
      return child;
    }
    const project = await getProjectByPath(trigger.project!);
    if (!project) throw new BridgeFailure('downstream_bridge_project_not_found');
    const access = await projectAccess({ kind: 'user', user, scopes: ['api'] }, project);
    if (!access.visible) throw new BridgeFailure('downstream_bridge_project_not_found');
    if (!can(access, 'create_pipeline')) throw new BridgeFailure('insufficient_bridge_permissions');
    const ref = trigger.branch ?? project.defaultBranch;
    if (!ref) throw new BridgeFailure('downstream_pipeline_creation_failed');
    return (await createPipeline({ project, user, ref, source: 'pipeline', variables, sourceJobId: bridge.id, depth })).pipeline;
  } catch (error) {
    if (error instanceof GitLabError) throw new BridgeFailure('downstream_pipeline_creation_failed');
    throw error;
  }
}

export async function startBridge(bridge: JobRecord, pipeline: PipelineRecord): Promise<void> {
  const now = Date.now();
  const running = { ...bridge, ...transitionFields(bridge, 'running', now) };
  if (!(await moveBridge(bridge, { status: 'running', startedAt: now, updatedAt: now }, ['pending']))) return;
  let changes: Partial<JobRecord>;
  try {
    const downstream = await createDownstream(running, pipeline);
    changes = { downstreamPipelineId: downstream.id };
    if (bridge.definition.trigger!.strategy !== 'depend') Object.assign(changes, transitionFields(bridge, 'success', Date.now()));
    else if (isCompleted(downstream.status)) Object.assign(changes, mirrorFields(bridge, downstream.status));
  } catch (error) {
    if (!(error instanceof BridgeFailure)) throw error;
    changes = { ...transitionFields(bridge, 'failed', Date.now()), failureReason: error.reason };
  }
  await moveBridge(running, changes, ['running']);
  await processPipelineNow(bridge.pipelineId);
}

function mirrorFields(bridge: JobRecord, status: JobStatus): Partial<JobRecord> {
  const fields = transitionFields(bridge, status, Date.now());
  if (status === 'failed') fields.failureReason = 'unknown_failure';
  return fields;
}

/** A child pipeline changed status: a bridge with `strategy: depend` takes its final status. */
export async function syncDependentBridge(downstream: PipelineRecord): Promise<void> {
  if (!isCompleted(downstream.status) || downstream.sourceJobId === undefined) return;
  const bridge = await getJob(downstream.sourceJobId);
  if (!bridge || bridge.definition.trigger?.strategy !== 'depend' || bridge.status !== 'running') return;
  if (await moveBridge(bridge, mirrorFields(bridge, downstream.status), ['running'])) await processPipelineNow(bridge.pipelineId);
}
