import { dump } from 'js-yaml';
import { singleFile } from '../artifacts/download';
import type { TriggerDefinition } from '../ci-config/types';
import { readPipelineWithJobs } from '../store/pipelines';
import { latestJobs } from './process-pipeline';

/**
 * A child pipeline's configuration from its bridge's `trigger:include`: the entries included as
 * `include:` includes them (local files, another project's files, with their `inputs`), or the
 * file a job of this pipeline left in its artifacts (`artifact` + `job`, a generated pipeline).
 * Undefined when that artifact cannot be read: GitLab fails the bridge then.
 */
export async function childConfigText(trigger: TriggerDefinition, pipelineId: number): Promise<string | undefined> {
  const entries = trigger.includeEntries ?? trigger.include.map((local) => ({ local }));
  const artifacts = entries.filter((entry) => typeof entry.artifact === 'string');
  if (artifacts.length === 0) return dump({ include: entries });
  if (entries.length > 1) return undefined;
  const { artifact, job: jobName } = artifacts[0] as { artifact: string; job: string };
  const read = await readPipelineWithJobs(pipelineId);
  const job = latestJobs(read?.jobs ?? []).find((candidate) => candidate.name === jobName);
  const archive = job?.artifacts.find((file) => file.fileType === 'archive');
  if (!archive) return undefined;
  try {
    const file = await singleFile(archive, artifact.replace(/^\/+/, ''), 'GET');
    if (file.kind !== 'stream') return undefined;
    return await new Response(file.body).text();
  } catch {
    return undefined;
  }
}
