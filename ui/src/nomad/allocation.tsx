import { useEffect, useRef, useState } from 'preact/hooks';
import { authHeaders } from '../api';
import { useBlocking } from '../data';
import { href } from '../router';
import { ago, Failure, Loading, Section, Status } from '../view';
import { AllocActions, TaskActions } from './alloc-actions';
import { ExecTerminal } from './exec-terminal';

interface TaskEvent {
  Type: string;
  Time: number;
  DisplayMessage?: string;
}

interface TaskState {
  State: string;
  Failed: boolean;
  Restarts: number;
  StartedAt?: string | null;
  FinishedAt?: string | null;
  Events: TaskEvent[] | null;
}

interface Allocation {
  ID: string;
  Name: string;
  Namespace: string;
  JobID: string;
  TaskGroup: string;
  NodeID: string;
  NodeName?: string;
  ClientStatus: string;
  DesiredStatus: string;
  TaskStates: Record<string, TaskState> | null;
  Job?: { TaskGroups: { Name: string; Tasks: { Name: string }[] }[] };
}

/**
 * One allocation: its tasks' states and events (kept live), stop/restart/signal while it runs, its
 * logs followed, and an exec terminal into a running task.
 */
export function AllocationPage({ id }: { id: string }) {
  const alloc = useBlocking<Allocation>(`/allocation/${encodeURIComponent(id)}`);
  if (alloc.error && !alloc.data) return <Failure error={alloc.error} />;
  if (!alloc.data) return <Loading />;
  const data = alloc.data;
  const tasks = data.Job?.TaskGroups.find((group) => group.Name === data.TaskGroup)?.Tasks.map((task) => task.Name) ?? Object.keys(data.TaskStates ?? {});
  const finished = ['complete', 'failed', 'lost'].includes(data.ClientStatus);
  return (
    <>
      <Section title={`Allocation ${data.ID.slice(0, 8)}`} actions={!finished && data.DesiredStatus === 'run' && <AllocActions allocId={data.ID} />}>
        <dl class="facts">
          <dt>Name</dt>
          <dd>{data.Name}</dd>
          <dt>Job</dt>
          <dd>
            <a href={href(`/nomad/job/${encodeURIComponent(data.JobID)}?namespace=${encodeURIComponent(data.Namespace)}`)}>{data.JobID}</a>
          </dd>
          <dt>Node</dt>
          <dd>
            <a href={href(`/nomad/node/${data.NodeID}`)}>{data.NodeName ?? data.NodeID.slice(0, 8)}</a>
          </dd>
          <dt>Desired</dt>
          <dd>{data.DesiredStatus}</dd>
          <dt>Status</dt>
          <dd data-testid="alloc-status">
            <Status value={data.ClientStatus} />
          </dd>
        </dl>
      </Section>
      {tasks.map((task) => {
        const state = data.TaskStates?.[task];
        return (
          <Section
            key={task}
            title={`Task ${task}`}
            actions={
              <div class="actions">
                {state?.State === 'running' && data.DesiredStatus === 'run' && <TaskActions allocId={data.ID} task={task} />}
                {state && <Status value={state.Failed ? 'failed' : state.State} />}
              </div>
            }
          >
            {state && (
              <p class="muted" data-testid={`task-${task}`}>
                {state.Restarts} restart{state.Restarts === 1 ? '' : 's'}
                {ago(state.StartedAt) && ` · started ${ago(state.StartedAt)}`}
                {ago(state.FinishedAt) && ` · finished ${ago(state.FinishedAt)}`}
              </p>
            )}
            <table class="list events">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Type</th>
                  <th>Description</th>
                </tr>
              </thead>
              <tbody>
                {[...(state?.Events ?? [])].reverse().map((event, index) => (
                  <tr key={index}>
                    <td>{ago(event.Time)}</td>
                    <td>{event.Type}</td>
                    <td>{event.DisplayMessage ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        );
      })}
      {tasks.length > 0 && <Logs allocId={data.ID} tasks={tasks} finished={finished} />}
      {tasks.some((task) => data.TaskStates?.[task]?.State === 'running') && (
        <ExecTerminal allocId={data.ID} tasks={tasks.filter((task) => data.TaskStates?.[task]?.State === 'running')} />
      )}
    </>
  );
}

/**
 * A task's stdout or stderr, read with `follow=true&plain=true`: the answer streams new output as the
 * node ships it. When a follow ends (the server's wait cap, a Lambda's buffered answer) it is opened
 * again from the bytes already shown, unless the allocation has finished.
 */
function Logs({ allocId, tasks, finished }: { allocId: string; tasks: string[]; finished: boolean }) {
  const [task, setTask] = useState(tasks[0]);
  const [type, setType] = useState<'stdout' | 'stderr'>('stdout');
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const finishedRef = useRef(finished);
  finishedRef.current = finished;
  useEffect(() => {
    setText('');
    setError(undefined);
    const abort = new AbortController();
    (async () => {
      const decoder = new TextDecoder();
      let shown = 0;
      let content = '';
      while (!abort.signal.aborted) {
        const params = new URLSearchParams({ task, type, plain: 'true', follow: 'true', origin: 'start', offset: String(shown) });
        try {
          const response = await fetch(`/v1/client/fs/logs/${encodeURIComponent(allocId)}?${params}`, { headers: authHeaders('nomad'), signal: abort.signal });
          if (!response.ok) {
            setError(`${response.status}: ${(await response.text()).trim()}`);
            if (response.status === 403) return;
          } else if (response.body) {
            const reader = response.body.getReader();
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              shown += value.byteLength;
              content += decoder.decode(value, { stream: true });
              setText(content);
            }
          }
        } catch {
          if (abort.signal.aborted) return;
        }
        if (finishedRef.current) return;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    return () => abort.abort();
  }, [allocId, task, type]);
  return (
    <Section title="Logs">
      <div class="tabs" role="tablist">
        {tasks.length > 1 &&
          tasks.map((name) => (
            <button key={name} role="tab" aria-selected={name === task} onClick={() => setTask(name)}>
              {name}
            </button>
          ))}
        {(['stdout', 'stderr'] as const).map((name) => (
          <button key={name} role="tab" aria-selected={name === type} onClick={() => setType(name)}>
            {name}
          </button>
        ))}
      </div>
      {error && <div class="notice error">{error}</div>}
      <pre class="log" data-testid="log">
        {text}
      </pre>
    </Section>
  );
}
