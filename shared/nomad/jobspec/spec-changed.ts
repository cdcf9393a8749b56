import { JOB_STATE_FIELDS, type Job } from '../structs/job';
import { stableStringify } from '../../util/stable-json';

/** Nomad's Job.SpecChanged: equal apart from status, stability, version, version tag, indexes and submit time. */
export function specChanged(stored: Job | undefined, submitted: Job): boolean {
  if (!stored) return true;
  const strip = (job: Job) => {
    const copy: Record<string, unknown> = { ...job };
    for (const field of JOB_STATE_FIELDS) delete copy[field];
    delete copy.VersionTag;
    return stableStringify(copy);
  };
  return strip(stored) !== strip(submitted);
}
