import type { JobRecord } from '../store/jobs';

/** Nomad's JobListStub: `Periodic` and `ParameterizedJob` are booleans here; Meta only on request. */
export function jobListStub(record: JobRecord, withMeta: boolean) {
  const { job } = record;
  const stub: Record<string, unknown> = {
    ID: job.ID,
    ParentID: job.ParentID,
    Name: job.Name,
    Namespace: job.Namespace,
    Datacenters: job.Datacenters,
    NodePool: job.NodePool,
    Multiregion: job.Multiregion ?? null,
    Type: job.Type,
    Priority: job.Priority,
    Periodic: job.Periodic !== null,
    ParameterizedJob: job.ParameterizedJob !== null,
    Stop: job.Stop,
    Status: job.Status,
    StatusDescription: job.StatusDescription,
    JobSummary: record.summary,
    CreateIndex: job.CreateIndex,
    ModifyIndex: job.ModifyIndex,
    JobModifyIndex: job.JobModifyIndex,
    SubmitTime: job.SubmitTime,
  };
  if (withMeta && job.Meta && Object.keys(job.Meta).length > 0) stub.Meta = job.Meta;
  return stub;
}
