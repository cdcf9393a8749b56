import { useState } from 'preact/hooks';
import { useAction } from '../action';
import { nomad } from '../api';
import { Failure } from '../view';

const SIGNALS = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGKILL'];

/** `nomad alloc stop` and `nomad alloc restart [-all-tasks]` for the whole allocation. */
export function AllocActions({ allocId }: { allocId: string }) {
  const action = useAction();
  const id = encodeURIComponent(allocId);
  return (
    <div class="actions">
      <button disabled={action.busy} onClick={() => action.run(() => nomad('POST', `/client/allocation/${id}/restart`, { AllTasks: true }))}>
        Restart all tasks
      </button>
      <button class="danger" disabled={action.busy} onClick={() => action.run(() => nomad('POST', `/allocation/${id}/stop`))}>
        Stop
      </button>
      {action.error && <Failure error={action.error} />}
    </div>
  );
}

/** `nomad alloc restart <alloc> <task>` and `nomad alloc signal -s <signal> <alloc> <task>`. */
export function TaskActions({ allocId, task }: { allocId: string; task: string }) {
  const [signal, setSignal] = useState('SIGHUP');
  const action = useAction();
  const id = encodeURIComponent(allocId);
  return (
    <div class="actions">
      <button disabled={action.busy} onClick={() => action.run(() => nomad('POST', `/client/allocation/${id}/restart`, { TaskName: task }))}>
        Restart
      </button>
      <select name={`signal-${task}`} aria-label={`Signal for ${task}`} value={signal} onChange={(event) => setSignal(event.currentTarget.value)}>
        {SIGNALS.map((name) => (
          <option key={name}>{name}</option>
        ))}
      </select>
      <button disabled={action.busy} onClick={() => action.run(() => nomad('POST', `/client/allocation/${id}/signal`, { Task: task, Signal: signal }))}>
        Send signal
      </button>
      {action.error && <Failure error={action.error} />}
    </div>
  );
}
