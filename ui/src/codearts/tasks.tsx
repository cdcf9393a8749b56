import { useState } from 'preact/hooks';
import { codearts } from '../api';
import { usePolled } from '../data';
import { Failure, Loading, Section, Status } from '../view';

interface HistoryRecord {
  record_id: string;
  build_number: number;
  start_time: string | null;
  end_time: string | null;
  result: string;
}

const UNFINISHED = new Set(['QUEUED', 'RUNNING']);
// CodeArts's API lists no tasks (that is a console call), so the page keeps the task ids opened here.
const KEY = 'jobplane.codearts.tasks';
const remembered = (): string[] => JSON.parse(sessionStorage.getItem(KEY) ?? '[]');

export function Tasks() {
  const [tasks, setTasks] = useState(remembered);
  const [draft, setDraft] = useState('');
  function open(event: Event) {
    event.preventDefault();
    const id = draft.trim();
    if (!id || tasks.includes(id)) return;
    const next = [id, ...tasks];
    sessionStorage.setItem(KEY, JSON.stringify(next));
    setTasks(next);
    setDraft('');
  }
  function close(id: string) {
    const next = tasks.filter((task) => task !== id);
    sessionStorage.setItem(KEY, JSON.stringify(next));
    setTasks(next);
  }
  return (
    <Section title="CodeArts build tasks">
      <form class="filter" onSubmit={open}>
        <input name="task" placeholder="Task id (job_id)" value={draft} onInput={(event) => setDraft(event.currentTarget.value)} />
        <button type="submit">Open task</button>
      </form>
      {tasks.length === 0 && <p class="muted">Open a build task by its id to see its builds.</p>}
      {tasks.map((id) => (
        <Task key={id} id={id} onClose={() => close(id)} />
      ))}
    </Section>
  );
}

/** One task's builds (`GET /v3/jobs/:id/history`), with build and stop. */
function Task({ id, onClose }: { id: string; onClose: () => void }) {
  const path = `/jobs/${encodeURIComponent(id)}`;
  const history = usePolled(
    () => codearts<{ history_records: HistoryRecord[]; total: number }>('GET', `${path}/history?offset=0&limit=20&interval=30`).then((a) => a.body),
    id,
    (body) => body.history_records.some((record) => UNFINISHED.has(record.result)),
    3000,
  );
  const [error, setError] = useState<Error>();
  async function act(run: () => Promise<unknown>) {
    setError(undefined);
    try {
      await run();
      history.reload();
    } catch (caught) {
      setError(caught as Error);
    }
  }
  return (
    <div class="card" data-task={id}>
      <header class="section-head">
        <h3 class="mono">{id}</h3>
        <div class="actions">
          <button onClick={() => act(() => codearts('POST', '/jobs/build', { job_id: id }))}>Build</button>
          <button class="link" onClick={onClose}>
            Close
          </button>
        </div>
      </header>
      {error && <Failure error={error} />}
      {history.error && <Failure error={history.error} />}
      {!history.data && !history.error && <Loading />}
      {history.data && (
        <table class="list">
          <thead>
            <tr>
              <th>Build</th>
              <th>Result</th>
              <th>Started</th>
              <th>Ended</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {history.data.history_records.map((record) => (
              <tr key={record.record_id}>
                <td>#{record.build_number}</td>
                <td>
                  <Status value={record.result} />
                </td>
                <td>{record.start_time ?? ''}</td>
                <td>{record.end_time ?? ''}</td>
                <td>
                  {UNFINISHED.has(record.result) && (
                    <button class="danger" onClick={() => act(() => codearts('POST', '/jobs/stop', { job_id: id, build_no: String(record.build_number) }))}>
                      Stop
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
