import type { JobSubmission } from '../store/submissions';

/** Nomad's JobSubmission: the source a version was registered from, without what the store keeps beside it. */
export function jobSubmission(submission: JobSubmission) {
  const { Source, Format, VariableFlags, Variables, Namespace, JobID, Version, JobModifyIndex } = submission;
  return { Source, Format, VariableFlags, Variables, Namespace, JobID, Version, JobModifyIndex };
}
