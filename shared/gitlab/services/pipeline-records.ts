import { ConfigError, PipelineFilteredError } from '../ci-config/errors';
import { collectIncludes } from '../ci-config/includes';
import { buildPipelineDefinition, predefinedRuleVariables } from '../ci-config/pipeline';
import type { JobDefinition, PipelineContext, PipelineDefinition } from '../ci-config/types';
import { validationError } from '../errors';
import type { JobRecord, PipelineRecord, PipelineSource, PipelineVariable, ProjectRecord, UserRecord } from '../records';
import { effectiveAllowFailure } from '../state/job-events';
import { pipelineStatus } from '../state/process-pipeline';
import { notYetRun } from '../state/transition-fields';
import { MAX_TRANSACT_ITEMS, transact, type TransactItem } from '../../storage/transact';
import { nextId, nextIds } from '../store/counters';
import { putJob, putJobPointer } from '../store/jobs';
import { putPipeline } from '../store/pipelines';
import { fullPath, nextPipelineIid } from '../store/projects';
import { fileIn, listFilesIn, openProjectRepository, resolveIn } from '../git/commits';
import { includeReader } from './include-reader';
import { recordEnvironments } from './environments';
import { pushChanges, withCompareTo } from './pipeline-changes';
import { applyTransitions, pipelineChanges } from './process-pipeline';
import { variableErrors } from '../validations/variables';

/**
 * A new pipeline's records from the CI configuration at a ref: parse and evaluate the file, create
 * the jobs, process them, and store everything in one transaction where it fits (a pipeline of up
 * to 49 jobs). Larger pipelines are stored in steps: their jobs first, unprocessed, then the
 * pipeline marked for processing, so a crash midway leaves nothing runnable behind. What follows
 * (runners, bridges, auto-cancel, processing the larger ones) is the engine's (pipeline-engine.ts).
 */
export interface CreatePipelineInput {
  project: ProjectRecord;
  user: UserRecord;
  ref: string;
  /** A push names the commit it pushed, its branch's previous tip, and whether `ref` is a tag. */
  sha?: string;
  beforeSha?: string;
  tag?: boolean;
  source: PipelineSource;
  variables: PipelineVariable[];
  /** Child pipelines bring their configuration; otherwise it is read from the repository. */
  configText?: string;
  /** Values for the configuration's `spec:inputs` (API `inputs`, `trigger:include:inputs`). */
  inputs?: Record<string, unknown>;
  sourceJobId?: number;
  /** The upstream pipeline's depth + 1 for pipelines that bridges create. */
  depth?: number;
  /** The schedule a scheduled pipeline runs for. */
  scheduleId?: number;
  /**
   * Items stored in the same transaction as the pipeline (another dialect's record of it, such as
   * a CodeArts build); if one of their conditions fails, nothing is created and the
   * TransactionConflict reaches the caller.
   */
  alsoWrite?: (pipeline: PipelineRecord, jobs: readonly JobRecord[]) => TransactItem[];
}

const ZERO_SHA = '0000000000000000000000000000000000000000';

function baseError(message: string) {
  return validationError({ base: [message] });
}

function jobRecord(definition: JobDefinition, id: number, pipeline: PipelineRecord, stages: string[], now: number, protectedRef: boolean): JobRecord {
  return {
    id,
    type: definition.trigger ? 'bridge' : 'build',
    pipelineId: pipeline.id,
    projectId: pipeline.projectId,
    name: definition.name,
    stage: definition.stage,
    stageIdx: stages.indexOf(definition.stage),
    ref: pipeline.ref,
    tag: pipeline.tag,
    sha: pipeline.sha,
    protectedRef,
    userId: pipeline.userId,
    definition,
    allowFailure: effectiveAllowFailure(definition),
    ...notYetRun(now),
    jobVariables: [],
    retryOf: null,
  };
}

/**
 * The stored records: processed at once (`changed` the jobs processing moved), or, for a larger
 * pipeline, unprocessed (`changed` undefined).
 */
export interface PipelineRecords {
  pipeline: PipelineRecord;
  jobs: JobRecord[];
  changed?: JobRecord[];
}

export async function createPipelineRecords(input: CreatePipelineInput): Promise<PipelineRecords> {
  const { project } = input;
  // One read of the repository's refs and packs serves the ref, the CI file, its includes and the file list.
  const repo = await openProjectRepository(project.id);
  const commit = await resolveIn(repo, input.sha ?? input.ref);
  if (!commit) throw baseError('Reference not found');
  const readFile = async (path: string) => (await fileIn(repo, commit, path))?.content.toString('utf8');
  let text = input.configText;
  if (text === undefined) {
    text = await readFile(project.ciConfigPath);
    if (text === undefined) throw baseError('Missing CI config file');
  }
  let definition: PipelineDefinition;
  try {
    const changes = await pushChanges(repo, commit, input.beforeSha, input.tag ?? false);
    const context: PipelineContext = {
      ref: input.ref,
      tag: input.tag ?? false,
      sha: commit.sha,
      source: input.source,
      defaultBranch: project.defaultBranch,
      projectPath: fullPath(project),
      variables: Object.fromEntries(input.variables.map((variable) => [variable.key, variable.value])),
      files: await listFilesIn(repo, commit.treeId),
      inputs: input.inputs,
      changes,
    };
    const reader = includeReader(repo, commit, { kind: 'user', user: input.user, scopes: ['api'] });
    const collected = await collectIncludes(text, reader, { files: context.files, variables: { ...predefinedRuleVariables(context), ...context.variables }, inputs: input.inputs });
    definition = await withCompareTo(repo, commit, changes, () => buildPipelineDefinition(text, { ...context, ...collected }));
  } catch (error) {
    if (error instanceof ConfigError) throw validationError({ base: error.errors });
    if (error instanceof PipelineFilteredError) throw baseError(error.message);
    throw error;
  }

  const invalidVariables = variableErrors(input.variables);
  if (invalidVariables.length > 0) throw baseError(`Failed to persist the pipeline: Validation failed: ${invalidVariables.join(', ')}`);

  const [id, iid, firstJobId] = await Promise.all([nextId('pipeline'), nextPipelineIid(project.id), nextIds('job', definition.jobs.length)]);
  const now = Date.now();
  const pipeline: PipelineRecord = {
    id,
    iid,
    projectId: project.id,
    sha: commit.sha,
    beforeSha: input.beforeSha ?? ZERO_SHA,
    ref: input.ref,
    tag: input.tag ?? false,
    source: input.source,
    status: 'created',
    userId: input.user.id,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    finishedAt: null,
    committedAt: Date.parse(commit.committedDate),
    duration: null,
    stages: definition.stages,
    name: definition.name,
    ...(definition.autoCancel ? { autoCancel: definition.autoCancel } : {}),
    variables: input.variables,
    sourceJobId: input.sourceJobId,
    depth: input.depth ?? 0,
    ...(input.scheduleId !== undefined ? { scheduleId: input.scheduleId } : {}),
    jobsVersion: 0,
  };
  const protectedRef = input.ref === project.defaultBranch;
  const created = definition.jobs.map((job, i) => jobRecord(job, firstJobId + i, pipeline, definition.stages, now, protectedRef));
  const extra = input.alsoWrite?.(pipeline, created) ?? [];

  if (created.length * 2 + 1 + extra.length <= MAX_TRANSACT_ITEMS) {
    const { jobs, changed } = applyTransitions(created, now);
    const processed: PipelineRecord = { ...pipeline, ...pipelineChanges(pipeline, jobs, pipelineStatus(jobs), now) };
    await transact([putPipeline(processed, { unprocessed: false }), ...jobs.flatMap((job) => [putJob(job), putJobPointer(job)]), ...extra]);
    await recordEnvironments(jobs);
    return { pipeline: processed, jobs, changed: changed.map(({ after }) => after) };
  }
  const perTransaction = Math.floor(MAX_TRANSACT_ITEMS / 2);
  for (let i = 0; i < created.length; i += perTransaction) {
    await transact(created.slice(i, i + perTransaction).flatMap((job) => [putJob(job), putJobPointer(job)]));
  }
  await transact([putPipeline(pipeline, { unprocessed: true }), ...extra]);
  await recordEnvironments(created);
  return { pipeline, jobs: created };
}
