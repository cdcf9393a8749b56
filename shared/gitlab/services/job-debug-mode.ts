import type { JobRecord } from '../records';
import { variablesForJob } from '../state/ci-variables';
import { isDebugMode } from '../state/debug-mode';
import { listInstanceVariables } from '../store/instance-variables';
import { getPipelines } from '../store/pipelines';
import { listProjectVariables } from '../store/project-variables';

/**
 * A job's debug mode: its runner said so on a trace update, or it follows from the variables it gets, in the order they reach it: the YAML's, the
 * instance's and the project's CI/CD variables, the pipeline's, those it was played with.
 */
export async function jobInDebugMode(job: JobRecord): Promise<boolean> {
  if (job.debugTrace) return true;
  const [pipelines, projectVariables, instanceVariables] = await Promise.all([getPipelines([job.pipelineId]), listProjectVariables(job.projectId), listInstanceVariables()]);
  return isDebugMode([
    ...Object.entries(job.definition.variables).map(([key, value]) => ({ key, value })),
    ...instanceVariables.filter((variable) => !variable.protected || job.protectedRef),
    ...variablesForJob(projectVariables, { protectedRef: job.protectedRef, environment: null }),
    ...(pipelines.get(job.pipelineId)?.variables ?? []),
    ...job.jobVariables,
  ]);
}
