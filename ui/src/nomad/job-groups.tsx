import { useState } from 'preact/hooks';
import { useAction } from '../action';
import { nomad } from '../api';
import { Failure } from '../view';

export interface TaskGroup {
  Name: string;
  Count: number;
  Tasks: { Name: string; Driver: string }[];
  Scaling?: { Min?: number | null; Max?: number | null; Enabled?: boolean } | null;
}

const STATES = ['Queued', 'Starting', 'Running', 'Complete', 'Failed', 'Lost', 'Unknown'];

/** `nomad job scale <job> <group> <count>`: the count as typed, within the group's scaling bounds. */
function Scale({ base, namespace, group }: { base: string; namespace: string; group: TaskGroup }) {
  const [count, setCount] = useState(String(group.Count));
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const Count = Number(count);
    action.run(() =>
      nomad('POST', `${base}/scale?namespace=${encodeURIComponent(namespace)}`, {
        Count,
        Target: { Group: group.Name },
        Message: `Scaled to ${Count} from the web UI`,
      }),
    );
  };
  return (
    <form class="scale" onSubmit={submit}>
      <input
        name={`count-${group.Name}`}
        aria-label={`Count of ${group.Name}`}
        type="number"
        min={group.Scaling?.Min ?? 0}
        max={group.Scaling?.Max ?? undefined}
        value={count}
        onInput={(event) => setCount(event.currentTarget.value)}
      />
      <button type="submit" disabled={action.busy || count === '' || Number(count) === group.Count}>
        Scale
      </button>
      {action.error && <Failure error={action.error} />}
    </form>
  );
}

/** The task groups with their allocation counts by state and, for services and batch jobs, a scale control. */
export function TaskGroups({
  base,
  namespace,
  groups,
  summary,
  scalable,
}: {
  base: string;
  namespace: string;
  groups: TaskGroup[];
  summary?: Record<string, Record<string, number>>;
  scalable: boolean;
}) {
  return (
    <table class="list" data-testid="task-groups">
      <thead>
        <tr>
          <th>Name</th>
          <th>Count</th>
          <th>Tasks</th>
          {STATES.map((state) => (
            <th key={state}>{state}</th>
          ))}
          {scalable && <th>Scale</th>}
        </tr>
      </thead>
      <tbody>
        {groups.map((group) => (
          <tr key={group.Name} data-group={group.Name}>
            <td>{group.Name}</td>
            <td data-testid="group-count">{group.Count}</td>
            <td>{group.Tasks.map((task) => `${task.Name} (${task.Driver})`).join(', ')}</td>
            {STATES.map((state) => (
              <td key={state}>{summary?.[group.Name]?.[state] ?? 0}</td>
            ))}
            {scalable && (
              <td>
                {/* Keyed by the count, so the input shows the new count once a scale lands. */}
                <Scale key={group.Count} base={base} namespace={namespace} group={group} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
