import { useState } from 'preact/hooks';
import { useBlocking } from '../data';
import { href, navigate } from '../router';
import { Failure, Loading, Section, Status } from '../view';

interface JobStub {
  ID: string;
  Name: string;
  Namespace: string;
  Type: string;
  Status: string;
  Priority: number;
  JobSummary?: { Summary: Record<string, Record<string, number>> };
}

function allocCounts(job: JobStub): string {
  const totals: Record<string, number> = {};
  for (const group of Object.values(job.JobSummary?.Summary ?? {})) {
    for (const [state, count] of Object.entries(group)) totals[state] = (totals[state] ?? 0) + count;
  }
  return Object.entries(totals)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${count} ${state.toLowerCase()}`)
    .join(', ');
}

/** Jobs in every namespace the token may read, narrowed by a bexpr `filter`, kept live. */
export function Jobs({ query }: { query: URLSearchParams }) {
  const filter = query.get('filter') ?? '';
  const [draft, setDraft] = useState(filter);
  const params = new URLSearchParams({ namespace: '*' });
  if (filter) params.set('filter', filter);
  const jobs = useBlocking<JobStub[]>(`/jobs?${params}`);
  return (
    <Section title="Jobs" actions={<a class="button" href={href('/nomad/jobs/run')}>Run job</a>}>
      <form
        class="filter"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(`/nomad/jobs${draft ? `?${new URLSearchParams({ filter: draft })}` : ''}`);
        }}
      >
        <input
          name="filter"
          placeholder='Filter expression, e.g. Status == "running" and Type == "service"'
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
        />
        <button type="submit">Filter</button>
      </form>
      {jobs.error && <Failure error={jobs.error} />}
      {!jobs.data && !jobs.error && <Loading />}
      {jobs.data && (
        <table class="list" data-testid="jobs">
          <thead>
            <tr>
              <th>Name</th>
              <th>Namespace</th>
              <th>Type</th>
              <th>Status</th>
              <th>Priority</th>
              <th>Allocations</th>
            </tr>
          </thead>
          <tbody>
            {jobs.data.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  No jobs{filter ? ' match the filter' : ''}.
                </td>
              </tr>
            )}
            {jobs.data.map((job) => (
              <tr key={`${job.Namespace}/${job.ID}`}>
                <td>
                  <a href={href(`/nomad/job/${encodeURIComponent(job.ID)}?namespace=${encodeURIComponent(job.Namespace)}`)}>{job.Name}</a>
                </td>
                <td>{job.Namespace}</td>
                <td>{job.Type}</td>
                <td>
                  <Status value={job.Status} />
                </td>
                <td>{job.Priority}</td>
                <td>{allocCounts(job)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
