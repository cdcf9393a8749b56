import type { BuildView } from '../services/build-state';
import type { BuildRecord, TaskRecord } from '../records';

/** CodeArts's wire shapes: snake_case, build numbers as the reference types them, UTC times. */
function isoMillis(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().replace('Z', '+00:00');
}

function isoSeconds(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function createdBody(task: TaskRecord) {
  return { result: { job_id: task.jobId }, error: null, status: 'success' };
}

export function runBody(record: BuildRecord) {
  return { octopus_job_name: record.executionId, actual_build_number: String(record.buildNo), daily_build_number: record.dailyBuildNumber };
}

export function deletedBody(task: TaskRecord) {
  return { result: { job_id: task.jobId, project_id: task.codeartsProjectId }, status: 'success' };
}

export function recordInfoBody(task: TaskRecord, { record, state }: BuildView) {
  const buildConfigType = task.definition.build_config_type;
  return {
    success: true,
    result: {
      id: record.id,
      build_record_id: record.recordId,
      codeci_job_id: record.jobId,
      devcloud_project_id: task.codeartsProjectId,
      build_project_id: null,
      parent_record_id: null,
      domain_id: record.domainId,
      user_id: record.userId,
      build_no: record.buildNo,
      daily_build_num: record.dailyBuildNumber,
      execution_id: record.executionId,
      status: state.status,
      trigger_type: record.triggerType,
      repo_name: null,
      branch: null,
      tag: record.scm.buildTag,
      commit: record.scm.buildCommitId,
      build_type: null,
      build_config_type: typeof buildConfigType === 'string' ? buildConfigType : null,
      create_time: isoMillis(record.createdAt),
      queued_time: isoMillis(record.createdAt),
      schedule_time: null,
      runnable_time: null,
      start_time: isoMillis(state.startedAt),
      finish_time: isoMillis(state.finishedAt),
      duration: state.finishedAt === null ? 0 : state.finishedAt - (state.startedAt ?? state.finishedAt),
      err_msg: null,
      record_status: null,
      use_private_slave: null,
      region: null,
    },
  };
}

export function historyBody(views: readonly BuildView[], total: number) {
  return {
    history_records: views.map(({ record, state }) => ({
      record_id: record.recordId,
      job_id: record.jobId,
      build_number: record.buildNo,
      start_time: isoSeconds(state.startedAt),
      end_time: isoSeconds(state.finishedAt),
      result: state.status,
    })),
    total,
  };
}
