import { useState } from 'preact/hooks';
import { useAction } from '../action';
import { nomad } from '../api';
import { useBlocking } from '../data';
import { ago, Failure, Loading, Section, Status } from '../view';
import { AllocTable, type AllocStub } from './job';

interface Node {
  ID: string;
  Name: string;
  Datacenter: string;
  NodePool: string;
  NodeClass: string;
  Status: string;
  SchedulingEligibility: string;
  DrainStrategy: { Deadline: number; IgnoreSystemJobs: boolean; ForceDeadline: string } | null;
  Drivers?: Record<string, { Detected: boolean; Healthy: boolean }>;
  Attributes?: Record<string, string>;
  Events?: { Message: string; Subsystem: string; Timestamp: string }[] | null;
}

const UNITS: Record<string, number> = { s: 1e9, m: 60e9, h: 3600e9 };

/** A deadline as the CLI's `-deadline` takes it (`30m`, `1h`, `90s`), in nanoseconds; `-1` means no deadline (force). */
function deadlineNs(text: string): number | undefined {
  const match = text.trim().match(/^(\d+)(s|m|h)$/);
  return match ? Number(match[1]) * UNITS[match[2]] : undefined;
}

/** `nomad node drain -enable/-disable`: a deadline, whether system jobs stay, and turning it off again. */
function Drain({ node }: { node: Node }) {
  const [deadline, setDeadline] = useState('1h');
  const [ignoreSystem, setIgnoreSystem] = useState(false);
  const action = useAction();
  const path = `/node/${node.ID}/drain`;
  if (node.DrainStrategy) {
    return (
      <div class="drain">
        <p>
          Draining{node.DrainStrategy.ForceDeadline && !node.DrainStrategy.ForceDeadline.startsWith('0001') ? `, deadline ${ago(node.DrainStrategy.ForceDeadline)}` : ''}
          {node.DrainStrategy.IgnoreSystemJobs ? ', system jobs stay' : ''}.
        </p>
        <button disabled={action.busy} onClick={() => action.run(() => nomad('POST', path, { NodeID: node.ID, DrainSpec: null, MarkEligible: true }))}>
          Stop drain
        </button>
        {action.error && <Failure error={action.error} />}
      </div>
    );
  }
  const ns = deadlineNs(deadline);
  return (
    <form
      class="drain"
      onSubmit={(event) => {
        event.preventDefault();
        action.run(() => nomad('POST', path, { NodeID: node.ID, DrainSpec: { Deadline: ns, IgnoreSystemJobs: ignoreSystem }, MarkEligible: false }));
      }}
    >
      <label>
        Deadline <input name="deadline" size={6} value={deadline} onInput={(event) => setDeadline(event.currentTarget.value)} />
      </label>
      <label>
        <input type="checkbox" name="ignore-system" checked={ignoreSystem} onChange={(event) => setIgnoreSystem(event.currentTarget.checked)} /> Ignore system jobs
      </label>
      <button type="submit" class="danger" disabled={action.busy || ns === undefined}>
        Drain
      </button>
      {ns === undefined && <span class="muted">a duration such as 30m or 1h</span>}
      {action.error && <Failure error={action.error} />}
    </form>
  );
}

/** `nomad node eligibility -enable/-disable`. */
function Eligibility({ node }: { node: Node }) {
  const action = useAction();
  const eligible = node.SchedulingEligibility === 'eligible';
  return (
    <>
      <button
        disabled={action.busy}
        onClick={() => action.run(() => nomad('POST', `/node/${node.ID}/eligibility`, { NodeID: node.ID, Eligibility: eligible ? 'ineligible' : 'eligible' }))}
      >
        {eligible ? 'Mark ineligible' : 'Mark eligible'}
      </button>
      {action.error && <Failure error={action.error} />}
    </>
  );
}

/** One client node, kept live: its status, drain and eligibility (with their toggles), drivers and allocations. */
export function NodePage({ id }: { id: string }) {
  const node = useBlocking<Node>(`/node/${encodeURIComponent(id)}`);
  const allocs = useBlocking<AllocStub[]>(`/node/${encodeURIComponent(id)}/allocations`);
  if (node.error && !node.data) return <Failure error={node.error} />;
  if (!node.data) return <Loading />;
  const data = node.data;
  return (
    <>
      <Section title={`Node ${data.Name}`} actions={<Eligibility node={data} />}>
        <dl class="facts">
          <dt>ID</dt>
          <dd class="mono">{data.ID}</dd>
          <dt>Status</dt>
          <dd>
            <Status value={data.Status} />
          </dd>
          <dt>Eligibility</dt>
          <dd data-testid="node-eligibility">{data.SchedulingEligibility}</dd>
          <dt>Datacenter</dt>
          <dd>{data.Datacenter}</dd>
          <dt>Pool</dt>
          <dd>{data.NodePool}</dd>
          <dt>Class</dt>
          <dd>{data.NodeClass || '–'}</dd>
          <dt>Drivers</dt>
          <dd>
            {Object.entries(data.Drivers ?? {})
              .filter(([, driver]) => driver.Detected)
              .map(([name, driver]) => (driver.Healthy ? name : `${name} (unhealthy)`))
              .join(', ')}
          </dd>
          <dt>OS</dt>
          <dd>{[data.Attributes?.['os.name'], data.Attributes?.['kernel.name'], data.Attributes?.['cpu.arch']].filter(Boolean).join(' · ')}</dd>
        </dl>
      </Section>
      <Section title="Drain">
        <Drain node={data} />
      </Section>
      <Section title="Allocations">
        {allocs.error && <Failure error={allocs.error} />}
        {allocs.data && <AllocTable allocs={allocs.data} showJob />}
      </Section>
      {!!data.Events?.length && (
        <Section title="Events">
          <table class="list">
            <thead>
              <tr>
                <th>Time</th>
                <th>Subsystem</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {[...data.Events].reverse().map((event, index) => (
                <tr key={index}>
                  <td>{ago(event.Timestamp)}</td>
                  <td>{event.Subsystem}</td>
                  <td>{event.Message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
    </>
  );
}
