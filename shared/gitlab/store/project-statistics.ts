import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import type { ArtifactRecord } from '../records';
import { projectJobsIndex, projectPk } from './keys';

/** What `statistics=true` reports: commits and blob bytes of the repository, artifact bytes of the builds. */
export async function projectStatistics(projectId: number): Promise<{ commitCount: number; repositorySize: number; jobArtifactsSize: number }> {
  const table = config().tableName;
  const [commits, blobs, jobs] = await Promise.all([
    queryAll({ TableName: table, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :commit)', ExpressionAttributeValues: { ':pk': projectPk(projectId), ':commit': 'COMMIT#' }, ProjectionExpression: 'SK' }),
    queryAll({ TableName: table, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :blob)', ExpressionAttributeValues: { ':pk': projectPk(projectId), ':blob': 'BLOB#' }, ProjectionExpression: 'size' }),
    queryAll({ TableName: table, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': projectJobsIndex(projectId) }, ProjectionExpression: 'artifacts' }),
  ]);
  const artifactBytes = (artifacts: ArtifactRecord[] | undefined) => (artifacts ?? []).reduce((sum, artifact) => sum + artifact.size, 0);
  return {
    commitCount: commits.length,
    repositorySize: blobs.reduce((sum, blob) => sum + Number(blob.size ?? 0), 0),
    jobArtifactsSize: jobs.reduce((sum, job) => sum + artifactBytes(job.artifacts), 0),
  };
}
