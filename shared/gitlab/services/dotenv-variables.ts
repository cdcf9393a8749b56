import { gunzipSync } from 'node:zlib';
import type { JobRecord } from '../records';
import { parseDotenv } from '../state/dotenv';
import { readArtifactFile } from '../store/artifact-files';

/**
 * The variables a job gets from the `dotenv` reports of the jobs it takes artifacts from (GitLab's
 * `dependency_variables`), in dependency order: a later job's value wins.
 */
export async function dotenvVariablesOf(dependencies: readonly JobRecord[]): Promise<{ key: string; value: string }[]> {
  const reports = dependencies.flatMap((job) => job.artifacts.filter((artifact) => artifact.fileType === 'dotenv' && artifact.objectKey));
  const texts = await Promise.all(
    reports.map(async (artifact) => {
      const bytes = await readArtifactFile(artifact.objectKey!);
      if (!bytes) return '';
      try {
        return (artifact.fileFormat === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
      } catch {
        return '';
      }
    }),
  );
  return texts.flatMap(parseDotenv);
}
