import { useAction } from '../action';
import { nomad } from '../api';
import { useBlocking } from '../data';
import { href } from '../router';
import { ago, Failure, Loading, Section, Status } from '../view';
import { JobDeployments } from './job-deployments';
import { TaskGroups, type TaskGroup } from './job-groups';
import { ChildJobs, ForceLaunch, type Parameterized } from './job-launch';
import { JobVersions } from './job-versions';

interface Job {
  ID: string;
  Name: string;
  Namespace: string;
  Type: string;
  Status: string;
  Stop: boolean;
  Version: number;
  Datacenters: string[];
  ParentID?: string;
  Periodic?: { Enabled: boolean; Spec: string; TimeZone?: string } | null;
  ParameterizedJob?: Parameterized | null;
  TaskGroups: TaskGroup[];
}

interface Summary {
  Summary: Record<string, Record<string, number>>;
}

export interface AllocStub {
  ID: string;
  Name: string;
  JobID: string;
  Namespace: string;
  TaskGroup: string;
  NodeID: string;
  NodeName?: string;
  ClientStatus: string;
  DesiredStatus: string;
  /** On list stubs; a node's allocations are whole ones, whose job carries it. */
  JobVersion?: number;
  Job?: { Version: number };
  CreateTime: number;
  ModifyTime: number;
}

interface Evaluation {
  ID: string;
  Status: string;
  TriggeredBy: string;
  Type: string;
  Priority: number;
  StatusDescription?: string;
  CreateTime?: number;
  BlockedEval?: string;
}

/**
 * One job, kept live: its task groups with their allocation counts and scale, its allocations,
 * deployments, versions with their diffs, and evaluations; stop/start, and for a periodic or
 * parameterized job its launches (force, dispatch) instead.
 */
export function JobPage({ id, namespace }: { id: string; namespace: string }) {
  const q = `namespace=${encodeURIComponent(namespace)}`;
  const base = `/job/${encodeURIComponent(id)}`;
  const job = useBlocking<Job>(`${base}?${q}`);
  const summary = useBlocking<Summary>(`${base}/summary?${q}`);
  const allocs = useBlocking<AllocStub[]>(`${base}/allocations?${q}`);
  const evals = useBlocking<Evaluation[]>(`${base}/evaluations?${q}`);
  const action = useAction();

  if (job.error && !job.data) return <Failure error={job.error} />;
  if (!job.data) return <Loading />;
  const data = job.data;
  const stop = () => action.run(() => nomad('DELETE', `${base}?${q}`));
  const start = () => action.run(() => nomad('POST', `${base}?${q}`, { Job: { ...data, Stop: false } }));
  const launcher = !!data.Periodic?.Enabled || !!data.ParameterizedJob;
  return (
    <>
      <Section
        title={`Job ${data.Name}`}
        actions={
          <div class="actions">
            {data.Periodic?.Enabled && !data.Stop && <ForceLaunch base={base} namespace={namespace} />}
            {data.ParameterizedJob && !data.Stop && (
              <a class="button" href={href(`/nomad/job/${encodeURIComponent(id)}/dispatch?${q}`)}>
                Dispatch
              </a>
            )}
            {data.Stop ? (
              <button disabled={action.busy} onClick={start}>
                Start
              </button>
            ) : (
              <button class="danger" disabled={action.busy} onClick={stop}>
                Stop
              </button>
            )}
          </div>
        }
      >
        {action.error && <Failure error={action.error} />}
        <dl class="facts">
          <dt>Status</dt>
          <dd data-testid="job-status">
            <Status value={data.Status} />
          </dd>
          <dt>Type</dt>
          <dd>{data.Type}</dd>
          <dt>Namespace</dt>
          <dd>{data.Namespace}</dd>
          <dt>Version</dt>
          <dd data-testid="job-version">{data.Version}</dd>
          <dt>Datacenters</dt>
          <dd>{data.Datacenters.join(', ')}</dd>
          {data.ParentID && (
            <>
              <dt>Parent</dt>
              <dd>
                <a href={href(`/nomad/job/${encodeURIComponent(data.ParentID)}?${q}`)}>{data.ParentID}</a>
              </dd>
            </>
          )}
          {data.Periodic?.Enabled && (
            <>
              <dt>Periodic</dt>
              <dd class="mono">
                {data.Periodic.Spec}
                {data.Periodic.TimeZone ? ` (${data.Periodic.TimeZone})` : ''}
              </dd>
            </>
          )}
          {data.ParameterizedJob && (
            <>
              <dt>Parameterized</dt>
              <dd>payload {data.ParameterizedJob.Payload}</dd>
            </>
          )}
        </dl>
      </Section>
      <Section title="Task groups">
        {summary.error && <Failure error={summary.error} />}
        <TaskGroups base={base} namespace={namespace} groups={data.TaskGroups} summary={summary.data?.Summary} scalable={!launcher && data.Type !== 'system' && data.Type !== 'sysbatch'} />
      </Section>
      {launcher && <ChildJobs id={data.ID} namespace={namespace} />}
      {!launcher && (
        <Section title="Allocations">
          {allocs.error && <Failure error={allocs.error} />}
          {allocs.data && <AllocTable allocs={allocs.data} />}
        </Section>
      )}
      {data.Type === 'service' && <JobDeployments base={base} namespace={namespace} />}
      <JobVersions jobId={data.ID} namespace={namespace} current={data.Version} />
      <Section title="Evaluations">
        {evals.error && <Failure error={evals.error} />}
        {evals.data && (
          <table class="list" data-testid="evaluations">
            <thead>
              <tr>
                <th>ID</th>
                <th>Triggered by</th>
                <th>Status</th>
                <th>Description</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {evals.data.map((evaluation) => (
                <tr key={evaluation.ID}>
                  <td class="mono">{evaluation.ID.slice(0, 8)}</td>
                  <td>{evaluation.TriggeredBy}</td>
                  <td>
                    <Status value={evaluation.Status} />
                  </td>
                  <td>{evaluation.StatusDescription ?? ''}</td>
                  <td>{ago(evaluation.CreateTime)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}

export function AllocTable({ allocs, showJob = false }: { allocs: AllocStub[]; showJob?: boolean }) {
  if (allocs.length === 0) return <p class="muted">No allocations.</p>;
  return (
    <table class="list" data-testid="allocations">
      <thead>
        <tr>
          <th>ID</th>
          {showJob && <th>Job</th>}
          <th>Name</th>
          <th>Node</th>
          <th>Version</th>
          <th>Desired</th>
          <th>Status</th>
          <th>Modified</th>
        </tr>
      </thead>
      <tbody>
        {allocs.map((alloc) => (
          <tr key={alloc.ID}>
            <td class="mono">
              <a href={href(`/nomad/allocation/${alloc.ID}`)}>{alloc.ID.slice(0, 8)}</a>
            </td>
            {showJob && (
              <td>
                <a href={href(`/nomad/job/${encodeURIComponent(alloc.JobID)}?namespace=${encodeURIComponent(alloc.Namespace)}`)}>{alloc.JobID}</a>
              </td>
            )}
            <td>{alloc.Name}</td>
            <td>
              <a href={href(`/nomad/node/${alloc.NodeID}`)}>{alloc.NodeName ?? alloc.NodeID.slice(0, 8)}</a>
            </td>
            <td>{alloc.JobVersion ?? alloc.Job?.Version}</td>
            <td>{alloc.DesiredStatus}</td>
            <td>
              <Status value={alloc.ClientStatus} />
            </td>
            <td>{ago(alloc.ModifyTime)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
