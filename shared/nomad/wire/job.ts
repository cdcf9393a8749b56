import { JOB_STATE_FIELDS, type JobState } from '../structs/job';

/**
 * A job as `GET /v1/job/:id` answers it, from the JSON text its spec is stored as (which never
 * holds the state fields) and its state: the state fields follow the spec's, exactly as
 * `JSON.stringify({ ...spec, ...state })` writes them, without parsing the spec and writing it
 * again (most of the work of answering a large job). Pure.
 */
export function jobJson(specJson: string, state: JobState): string {
  let fields = '';
  for (const field of JOB_STATE_FIELDS) fields += `,"${field}":${JSON.stringify(state[field])}`;
  return specJson === '{}' ? `{${fields.slice(1)}}` : `${specJson.slice(0, -1)}${fields}}`;
}
