import { useBlocking } from '../data';
import { href } from '../router';
import { Failure, Loading, Section, Status } from '../view';

interface NodeStub {
  ID: string;
  Name: string;
  Datacenter: string;
  NodePool: string;
  NodeClass: string;
  Status: string;
  SchedulingEligibility: string;
  Drain: boolean;
  Drivers?: Record<string, { Detected: boolean; Healthy: boolean }>;
}

/** The client nodes, kept live. */
export function Nodes() {
  const nodes = useBlocking<NodeStub[]>('/nodes');
  return (
    <Section title="Nodes">
      {nodes.error && <Failure error={nodes.error} />}
      {!nodes.data && !nodes.error && <Loading />}
      {nodes.data && (
        <table class="list" data-testid="nodes">
          <thead>
            <tr>
              <th>ID</th>
              <th>Name</th>
              <th>Datacenter</th>
              <th>Pool</th>
              <th>Status</th>
              <th>Eligibility</th>
              <th>Drain</th>
              <th>Drivers</th>
            </tr>
          </thead>
          <tbody>
            {nodes.data.map((node) => (
              <tr key={node.ID}>
                <td class="mono">
                  <a href={href(`/nomad/node/${node.ID}`)}>{node.ID.slice(0, 8)}</a>
                </td>
                <td>
                  <a href={href(`/nomad/node/${node.ID}`)}>{node.Name}</a>
                </td>
                <td>{node.Datacenter}</td>
                <td>{node.NodePool}</td>
                <td>
                  <Status value={node.Status} />
                </td>
                <td>{node.SchedulingEligibility}</td>
                <td>{node.Drain ? 'yes' : 'no'}</td>
                <td>
                  {Object.entries(node.Drivers ?? {})
                    .filter(([, driver]) => driver.Detected)
                    .map(([name, driver]) => (driver.Healthy ? name : `${name} (unhealthy)`))
                    .join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
