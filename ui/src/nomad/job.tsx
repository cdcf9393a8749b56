import { useState } from 'preact/hooks';
import { nomad } from '../api';
import { useBlocking } from '../data';
import { href } from '../router';
import { ago, Failure, Loading, Section, Status } from '../view';

interface Job {
  ID: string;
  Name: string;
  Namespace: string;
  Type: string;
  Status: string;
  Stop: boolean;
  Version: number;
  Datacenters: string[];
  TaskGroups: { Name: string; Count: number; Tasks: { Name: string; Driver: string }[] }[];
}

interface Summary {
  Summary: Record<string, Record<string, number>>;
}

export interface AllocStub {
  ID: string;
  Name: string;
  TaskGroup: string;
  NodeID: string;
  NodeName?: string;
  ClientStatus: string;
  DesiredStatus: string;
  JobVersion: number;
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

const STATES = ['Queued', 'Starting', 'Running', 'Complete', 'Failed', 'Lost', 'Unknown'];

/** One job: its task groups with their allocation counts, its allocations and evaluations, all kept live. */
export function JobPage({ id, namespace }: { id: string; namespace: string }) {
  const q = `namespace=${encodeURIComponent(namespace)}`;
  const base = `/job/${encodeURIComponent(id)}`;
  const job = useBlocking<Job>(`${base}?${q}`);
  const summary = useBlocking<Summary>(`${base}/summary?${q}`);
  const allocs = useBlocking<AllocStub[]>(`${base}/allocations?${q}`);
  const evals = useBlocking<Evaluation[]>(`${base}/evaluations?${q}`);
  const [actionError, setActionError] = useState<Error>();

  async function act(run: () => Promise<unknown>) {
    setActionError(undefined);
    try {
      await run();
    } catch (error) {
      setActionError(error as Error);
    }
  }
  const stop = () => act(() => nomad('DELETE', `${base}?${q}`));
  const start = () => act(() => nomad('POST', `${base}?${q}`, { Job: { ...job.data, Stop: false } }));

  if (job.error && !job.data) return <Failure error={job.error} />;
  if (!job.data) return <Loading />;
  const data = job.data;
  return (
    <>
      <Section
        title={`Job ${data.Name}`}
        actions={
          <div class="actions">
            {data.Stop ? (
              <button onClick={start}>Start</button>
            ) : (
              <button class="danger" onClick={stop}>
                Stop
              </button>
            )}
          </div>
        }
      >
        {actionError && <Failure error={actionError} />}
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <Status value={data.Status} />
          </dd>
          <dt>Type</dt>
          <dd>{data.Type}</dd>
          <dt>Namespace</dt>
          <dd>{data.Namespace}</dd>
          <dt>Version</dt>
          <dd>{data.Version}</dd>
          <dt>Datacenters</dt>
          <dd>{data.Datacenters.join(', ')}</dd>
        </dl>
      </Section>
      <Section title="Task groups">
        <table class="list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Count</th>
              <th>Tasks</th>
              {STATES.map((state) => (
                <th key={state}>{state}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.TaskGroups.map((group) => (
              <tr key={group.Name}>
                <td>{group.Name}</td>
                <td>{group.Count}</td>
                <td>{group.Tasks.map((task) => `${task.Name} (${task.Driver})`).join(', ')}</td>
                {STATES.map((state) => (
                  <td key={state}>{summary.data?.Summary[group.Name]?.[state] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Allocations">
        {allocs.error && <Failure error={allocs.error} />}
        {allocs.data && <AllocTable allocs={allocs.data} />}
      </Section>
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

export function AllocTable({ allocs }: { allocs: AllocStub[] }) {
  if (allocs.length === 0) return <p class="muted">No allocations.</p>;
  return (
    <table class="list" data-testid="allocations">
      <thead>
        <tr>
          <th>ID</th>
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
            <td>{alloc.Name}</td>
            <td>{alloc.NodeName ?? alloc.NodeID.slice(0, 8)}</td>
            <td>{alloc.JobVersion}</td>
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
