import type { PipelineRecord, PipelineScheduleRecord, PipelineVariable, ProjectRecord, UserRecord } from '../records';
import { iso } from './format';
import { pipelineBasic } from './pipeline';
import { userBasic } from './user';

/** `Entities::Ci::PipelineSchedule` and `PipelineScheduleDetails`, and a schedule's `Entities::Ci::Variable`. */
export function scheduleVariableEntity(variable: PipelineVariable) {
  return { variable_type: variable.variableType, key: variable.key, value: variable.value, raw: false };
}

export function pipelineScheduleEntity(schedule: PipelineScheduleRecord, owner: UserRecord | undefined) {
  return {
    id: schedule.id,
    description: schedule.description,
    ref: schedule.ref,
    cron: schedule.cron,
    cron_timezone: schedule.cronTimezone,
    next_run_at: iso(schedule.nextRunAt),
    active: schedule.active,
    created_at: iso(schedule.createdAt),
    updated_at: iso(schedule.updatedAt),
    owner: owner ? userBasic(owner) : null,
  };
}

/** `variables` only for whom may read them (`read_pipeline_schedule_variables`). */
export function pipelineScheduleDetails(
  schedule: PipelineScheduleRecord,
  owner: UserRecord | undefined,
  project: ProjectRecord,
  lastPipeline: PipelineRecord | undefined,
  showVariables: boolean,
) {
  return {
    ...pipelineScheduleEntity(schedule, owner),
    last_pipeline: lastPipeline ? pipelineBasic(lastPipeline, project) : null,
    ...(showVariables ? { variables: schedule.variables.map(scheduleVariableEntity) } : {}),
  };
}
