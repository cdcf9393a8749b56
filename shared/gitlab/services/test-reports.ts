import { isExpired } from '../artifacts/expire-in';
import { webUrl } from '../entities/format';
import type { JobRecord, ProjectRecord } from '../records';
import { gzipMembers, GzipFormatError } from '../reports/gzip-members';
import type { AttachmentUrl, JobReports } from '../reports/test-report';
import { readArtifactObject } from '../store/artifact-objects';
import { fullPath } from '../store/projects';

/**
 * The JUnit documents of a pipeline's latest builds (`latest_test_report_builds`): every gzip
 * member of each unexpired `junit` artifact is one document. An upload that cannot be read (not
 * gzip, or more than MAX_REPORT_BYTES once inflated) makes its suite's error, as in GitLab.
 */
const MAX_REPORT_BYTES = 64 * 1024 * 1024;

async function jobReports(job: JobRecord, now: number): Promise<JobReports> {
  const reports: JobReports = { jobId: job.id, jobName: job.name, documents: [] };
  for (const artifact of job.artifacts) {
    if (artifact.fileType !== 'junit' || !artifact.objectKey || isExpired(artifact.expireAt, job.artifactsLocked, now)) continue;
    const bytes = await readArtifactObject(artifact.objectKey);
    if (!bytes) continue;
    try {
      reports.documents.push(...gzipMembers(bytes, MAX_REPORT_BYTES).map((member) => member.toString('utf8')));
    } catch (error) {
      if (!(error instanceof GzipFormatError)) throw error;
      reports.unreadable = error.message;
    }
  }
  return reports;
}

export async function pipelineJunitReports(jobs: readonly JobRecord[]): Promise<JobReports[]> {
  const now = Date.now();
  const builds = jobs
    .filter((job) => job.type === 'build' && !job.retried && job.artifacts.some((artifact) => artifact.fileType === 'junit'))
    .sort((a, b) => a.id - b.id);
  const reports = await Promise.all(builds.map((job) => jobReports(job, now)));
  return reports.filter((report) => report.documents.length > 0 || report.unreadable !== undefined);
}

export function attachmentUrls(project: ProjectRecord): AttachmentUrl {
  return (jobId, path) => webUrl(`${fullPath(project)}/-/jobs/${jobId}/artifacts/file/${path}`);
}
