import { batchGet } from '../../storage/batch-get';
import type { Deployment } from '../structs/deployment';
import { deploymentFromItem, deploymentKey } from './deployments';
import { jobRecordFromItem, type JobRecord } from './jobs';
import { JOB_SK, jobKey, jobPk } from './keys';

export interface JobsAndDeployments {
  job(namespace: string, jobId: string): JobRecord | undefined;
  deployment(id: string): Deployment | undefined;
}

/** Jobs and deployments in one consistent read (one BatchGet); those not found are absent. */
export async function readJobsAndDeployments(
  jobs: { namespace: string; jobId: string }[],
  deployments: Pick<Deployment, 'Namespace' | 'JobID' | 'ID'>[],
): Promise<JobsAndDeployments> {
  const keys = new Map<string, Record<string, string>>();
  for (const { namespace, jobId } of jobs) keys.set(jobPk(namespace, jobId), jobKey(namespace, jobId));
  for (const deployment of deployments) {
    const key = deploymentKey(deployment);
    keys.set(`${key.PK}\n${key.SK}`, key);
  }
  const items = keys.size > 0 ? await batchGet([...keys.values()], { consistent: true }) : [];
  const jobRecords = new Map(items.filter((item) => item.SK === JOB_SK).map((item) => [item.PK as string, jobRecordFromItem(item)]));
  const deploymentRecords = new Map(items.filter((item) => item.SK !== JOB_SK).map((item) => [item.ID as string, deploymentFromItem(item)]));
  return { job: (namespace, jobId) => jobRecords.get(jobPk(namespace, jobId)), deployment: (id) => deploymentRecords.get(id) };
}
