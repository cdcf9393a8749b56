import type { PipelineRecord, ProjectRecord, UserRecord } from '../records';
import { compositeStatus } from '../state/composite';
import { fullPath } from '../store/projects';
import { iso, pageUrl } from './format';
import { userBasic } from './user';

/** `PipelineBasic`, and `Pipeline` (what pipeline endpoints answer), composed. */
export function pipelineUrl(project: ProjectRecord, pipelineId: number): string {
  return pageUrl(`${fullPath(project)}/-/pipelines/${pipelineId}`);
}

export function pipelineBasic(pipeline: PipelineRecord, project: ProjectRecord) {
  return {
    id: pipeline.id,
    iid: pipeline.iid,
    project_id: pipeline.projectId,
    sha: pipeline.sha,
    ref: pipeline.ref,
    status: pipeline.status,
    source: pipeline.source,
    created_at: iso(pipeline.createdAt),
    updated_at: iso(pipeline.updatedAt),
    web_url: pipelineUrl(project, pipeline.id),
  };
}

const STATUS_TEXT: Record<string, [text: string, label: string]> = {
  created: ['Created', 'created'],
  waiting_for_resource: ['Waiting', 'waiting for resource'],
  preparing: ['Preparing', 'preparing'],
  waiting_for_callback: ['Waiting', 'waiting for callback'],
  pending: ['Pending', 'pending'],
  running: ['Running', 'running'],
  success: ['Passed', 'passed'],
  failed: ['Failed', 'failed'],
  canceling: ['Canceling', 'canceling'],
  canceled: ['Canceled', 'canceled'],
  skipped: ['Skipped', 'skipped'],
  manual: ['Blocked', 'waiting for manual action'],
  scheduled: ['Scheduled', 'waiting for delayed job'],
};

function detailedStatus(status: string, detailsPath: string, warnings = false) {
  if (status === 'success' && warnings) {
    return {
      icon: 'status_warning',
      text: 'Warning',
      label: 'passed with warnings',
      group: 'success-with-warnings',
      tooltip: 'passed',
      has_details: true,
      details_path: detailsPath,
      illustration: null,
      favicon: '/assets/ci_favicons/favicon_status_warning.png',
    };
  }
  const [text, label] = STATUS_TEXT[status] ?? [status, status];
  return {
    icon: `status_${status}`,
    text,
    label,
    group: status,
    tooltip: label,
    has_details: true,
    details_path: detailsPath,
    illustration: null,
    favicon: `/assets/ci_favicons/favicon_status_${status}.png`,
  };
}

export function pipelineEntity(
  pipeline: PipelineRecord,
  project: ProjectRecord,
  user: UserRecord | undefined,
  latestJobs: readonly { status: PipelineRecord['status']; allowFailure: boolean }[],
  yamlErrors: string | null = null,
) {
  const path = `/${fullPath(project)}/-/pipelines/${pipeline.id}`;
  const warnings = compositeStatus(latestJobs)?.warnings ?? false;
  return {
    ...pipelineBasic(pipeline, project),
    before_sha: pipeline.beforeSha,
    tag: pipeline.tag,
    yaml_errors: yamlErrors,
    user: user ? userBasic(user) : null,
    started_at: iso(pipeline.startedAt),
    finished_at: iso(pipeline.finishedAt),
    committed_at: iso(pipeline.committedAt),
    duration: pipeline.duration,
    queued_duration: pipeline.startedAt === null ? null : Math.round((pipeline.startedAt - pipeline.createdAt) / 1000),
    coverage: null,
    detailed_status: detailedStatus(pipeline.status, path, warnings),
    name: pipeline.name ?? null,
    archived: false,
  };
}
