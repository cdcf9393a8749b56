import { useState } from 'preact/hooks';
import { useAction } from '../action';
import { nomad } from '../api';
import { useBlocking, useLoad } from '../data';
import { href, navigate } from '../router';
import { Failure, Loading, Section, Status } from '../view';

export interface Parameterized {
  Payload: string;
  MetaRequired?: string[] | null;
  MetaOptional?: string[] | null;
}

interface ChildStub {
  ID: string;
  Namespace: string;
  Status: string;
  SubmitTime: number;
}

const jobLink = (id: string, namespace: string) => href(`/nomad/job/${encodeURIComponent(id)}?namespace=${encodeURIComponent(namespace)}`);

/** The jobs a periodic or parameterized job launched (their `ParentID` is it), newest first. */
export function ChildJobs({ id, namespace }: { id: string; namespace: string }) {
  const params = new URLSearchParams({ namespace, filter: `ParentID == ${JSON.stringify(id)}` });
  const children = useBlocking<ChildStub[]>(`/jobs?${params}`);
  return (
    <Section title="Launched jobs">
      {children.error && <Failure error={children.error} />}
      {children.data?.length === 0 && <p class="muted">None yet.</p>}
      {!!children.data?.length && (
        <table class="list" data-testid="children">
          <thead>
            <tr>
              <th>Job</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {[...children.data].sort((a, b) => b.SubmitTime - a.SubmitTime).map((child) => (
              <tr key={child.ID}>
                <td>
                  <a href={jobLink(child.ID, child.Namespace)}>{child.ID}</a>
                </td>
                <td>
                  <Status value={child.Status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** `nomad job periodic force`: launches a periodic job's child now. */
export function ForceLaunch({ base, namespace }: { base: string; namespace: string }) {
  const action = useAction();
  return (
    <>
      <button disabled={action.busy} onClick={() => action.run(() => nomad('POST', `${base}/periodic/force?namespace=${encodeURIComponent(namespace)}`))}>
        Force launch
      </button>
      {action.error && <Failure error={action.error} />}
    </>
  );
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `nomad job dispatch`: a parameterized job's meta keys (required ones marked) and its payload, if it takes one. */
export function DispatchPage({ id, namespace }: { id: string; namespace: string }) {
  const base = `/job/${encodeURIComponent(id)}`;
  const job = useLoad(() => nomad<{ ParameterizedJob?: Parameterized | null }>('GET', `${base}?namespace=${encodeURIComponent(namespace)}`).then((a) => a.body), `${namespace}/${id}`);
  const [meta, setMeta] = useState<Record<string, string>>({});
  const [payload, setPayload] = useState('');
  const action = useAction();
  if (job.error) return <Failure error={job.error} />;
  if (!job.data) return <Loading />;
  const spec = job.data.ParameterizedJob;
  if (!spec) return <div class="notice error">Job {id} is not parameterized: only parameterized jobs are dispatched.</div>;
  const keys = [...(spec.MetaRequired ?? []).map((key) => ({ key, required: true })), ...(spec.MetaOptional ?? []).map((key) => ({ key, required: false }))];
  const submit = (event: Event) => {
    event.preventDefault();
    action.run(async () => {
      const Meta = Object.fromEntries(Object.entries(meta).filter(([, value]) => value !== ''));
      const body = { JobID: id, Meta, Payload: payload && spec.Payload !== 'forbidden' ? base64(payload) : undefined };
      const answer = await nomad<{ DispatchedJobID: string }>('POST', `${base}/dispatch?namespace=${encodeURIComponent(namespace)}`, body);
      navigate(`/nomad/job/${encodeURIComponent(answer.body.DispatchedJobID)}?namespace=${encodeURIComponent(namespace)}`);
    });
  };
  return (
    <Section title={`Dispatch ${id}`}>
      <form class="dispatch" onSubmit={submit}>
        {keys.length === 0 && <p class="muted">This job declares no meta keys.</p>}
        {keys.map(({ key, required }) => (
          <label key={key}>
            {key}
            {required ? ' (required)' : ''}
            <input name={`meta-${key}`} required={required} value={meta[key] ?? ''} onInput={(event) => setMeta({ ...meta, [key]: event.currentTarget.value })} />
          </label>
        ))}
        {spec.Payload !== 'forbidden' && (
          <label>
            Payload ({spec.Payload})
            <textarea name="payload" rows={8} required={spec.Payload === 'required'} value={payload} onInput={(event) => setPayload(event.currentTarget.value)} />
          </label>
        )}
        {action.error && <Failure error={action.error} />}
        <div class="actions">
          <button type="submit" disabled={action.busy}>
            Dispatch
          </button>
          <a class="button secondary" href={jobLink(id, namespace)}>
            Cancel
          </a>
        </div>
      </form>
    </Section>
  );
}
