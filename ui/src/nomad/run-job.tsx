import { useState } from 'preact/hooks';
import { nomad } from '../api';
import { navigate } from '../router';
import { Failure, Section } from '../view';

const EXAMPLE = JSON.stringify(
  {
    Job: {
      ID: 'hello',
      Type: 'batch',
      Datacenters: ['dc1'],
      TaskGroups: [
        {
          Name: 'g',
          Tasks: [{ Name: 'say', Driver: 'raw_exec', Config: { command: '/bin/sh', args: ['-c', 'echo hello from ${NOMAD_TASK_NAME}'] } }],
        },
      ],
    },
  },
  null,
  2,
);

/** Submits a job as `POST /v1/jobs` does: JSON as sent, or HCL turned into JSON by `POST /v1/jobs/parse` first. */
export function RunJob() {
  const [text, setText] = useState(EXAMPLE);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      let job: { ID: string; Namespace?: string };
      const trimmed = text.trim();
      if (trimmed.startsWith('{')) {
        const parsed = JSON.parse(trimmed);
        job = parsed.Job ?? parsed;
      } else {
        job = (await nomad<{ ID: string }>('POST', '/jobs/parse', { JobHCL: trimmed, Canonicalize: true })).body;
      }
      await nomad('POST', '/jobs', { Job: job });
      navigate(`/nomad/job/${encodeURIComponent(job.ID)}?namespace=${encodeURIComponent(job.Namespace ?? 'default')}`);
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Section title="Run job">
      <form onSubmit={submit} class="run-job">
        <p class="muted">A job in Nomad's JSON form (as `POST /v1/jobs` takes it) or in HCL.</p>
        <textarea name="job" rows={20} spellcheck={false} value={text} onInput={(event) => setText(event.currentTarget.value)} />
        {error && <Failure error={error} />}
        <button type="submit" disabled={busy}>
          Run
        </button>
      </form>
    </Section>
  );
}
