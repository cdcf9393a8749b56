import { useState } from 'preact/hooks';
import { gitlab } from '../api';
import { useLoad, usePolled } from '../data';
import { href, navigate } from '../router';
import { ago, Failure, Loading, Section, Status } from '../view';
import { Artifacts } from './artifacts';
import { Trace } from './trace-view';

interface Project {
  id: number;
  name: string;
  path_with_namespace: string;
  description: string | null;
  default_branch: string | null;
  last_activity_at: string;
}

interface Pipeline {
  id: number;
  iid: number;
  ref: string;
  sha: string;
  status: string;
  source: string;
  created_at: string;
}

interface Job {
  id: number;
  name: string;
  stage: string;
  status: string;
  when?: string;
  duration: number | null;
  started_at: string | null;
  finished_at: string | null;
  allow_failure: boolean;
  pipeline: { id: number };
  erased_at?: string | null;
  artifacts?: { file_type: string; size: number; filename: string }[];
  artifacts_expire_at?: string | null;
}

const UNFINISHED = new Set(['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'scheduled', 'waiting_for_callback', 'canceling']);
const projectApi = (path: string) => `/projects/${encodeURIComponent(path)}`;

async function act(setError: (error?: Error) => void, run: () => Promise<unknown>, after: () => void) {
  setError(undefined);
  try {
    await run();
    after();
  } catch (error) {
    setError(error as Error);
  }
}

export function Projects() {
  const projects = useLoad(() => gitlab<Project[]>('GET', '/projects?order_by=last_activity_at&per_page=100').then((a) => a.body), 'projects');
  return (
    <Section title="Projects">
      {projects.error && <Failure error={projects.error} />}
      {!projects.data && !projects.error && <Loading />}
      {projects.data && (
        <table class="list" data-testid="projects">
          <thead>
            <tr>
              <th>Project</th>
              <th>Description</th>
              <th>Default branch</th>
              <th>Last activity</th>
            </tr>
          </thead>
          <tbody>
            {projects.data.map((project) => (
              <tr key={project.id}>
                <td>
                  <a href={href(`/${project.path_with_namespace}`)}>{project.path_with_namespace}</a>
                </td>
                <td>{project.description ?? ''}</td>
                <td>{project.default_branch ?? ''}</td>
                <td>{ago(project.last_activity_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** A project's pipelines (its page, and `…/-/pipelines`), with a button to run one on the default branch. */
export function ProjectPipelines({ path }: { path: string }) {
  const project = useLoad(() => gitlab<Project>('GET', projectApi(path)).then((a) => a.body), path);
  const pipelines = usePolled(
    () => gitlab<Pipeline[]>('GET', `${projectApi(path)}/pipelines?per_page=50`).then((a) => a.body),
    path,
    (list) => list.some((pipeline) => UNFINISHED.has(pipeline.status)),
    3000,
  );
  const [error, setError] = useState<Error>();
  if (project.error) return <Failure error={project.error} />;
  const ref = project.data?.default_branch;
  const run = () =>
    act(
      setError,
      async () => {
        const created = await gitlab<Pipeline>('POST', `${projectApi(path)}/pipeline?ref=${encodeURIComponent(ref ?? 'main')}`);
        navigate(`/${path}/-/pipelines/${created.body.id}`);
      },
      () => {},
    );
  return (
    <Section title={`${path}: pipelines`} actions={ref && <button onClick={run}>Run pipeline on {ref}</button>}>
      {error && <Failure error={error} />}
      {pipelines.error && <Failure error={pipelines.error} />}
      {!pipelines.data && !pipelines.error && <Loading />}
      {pipelines.data && (
        <table class="list" data-testid="pipelines">
          <thead>
            <tr>
              <th>Pipeline</th>
              <th>Status</th>
              <th>Ref</th>
              <th>Commit</th>
              <th>Source</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {pipelines.data.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  No pipelines yet.
                </td>
              </tr>
            )}
            {pipelines.data.map((pipeline) => (
              <tr key={pipeline.id}>
                <td>
                  <a href={href(`/${path}/-/pipelines/${pipeline.id}`)}>#{pipeline.id}</a>
                </td>
                <td>
                  <Status value={pipeline.status} />
                </td>
                <td>{pipeline.ref}</td>
                <td class="mono">{pipeline.sha.slice(0, 8)}</td>
                <td>{pipeline.source}</td>
                <td>{ago(pipeline.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** A pipeline as GitLab draws it: one column per stage, its jobs with their status. */
export function PipelinePage({ path, id }: { path: string; id: string }) {
  const load = async () => {
    const [pipeline, jobs] = await Promise.all([
      gitlab<Pipeline>('GET', `${projectApi(path)}/pipelines/${id}`),
      gitlab<Job[]>('GET', `${projectApi(path)}/pipelines/${id}/jobs?per_page=100`),
    ]);
    return { pipeline: pipeline.body, jobs: jobs.body };
  };
  const data = usePolled(load, `${path}#${id}`, ({ pipeline }) => UNFINISHED.has(pipeline.status));
  const [error, setError] = useState<Error>();
  if (data.error && !data.data) return <Failure error={data.error} />;
  if (!data.data) return <Loading />;
  const { pipeline, jobs } = data.data;
  // Stages in the order their first job was created (the CI file's stage order).
  const stages = new Map<string, Job[]>();
  for (const job of [...jobs].sort((a, b) => a.id - b.id)) stages.set(job.stage, [...(stages.get(job.stage) ?? []), job]);
  const base = `${projectApi(path)}/pipelines/${id}`;
  return (
    <Section
      title={`Pipeline #${pipeline.id}`}
      actions={
        <div class="actions">
          {UNFINISHED.has(pipeline.status) ? (
            <button class="danger" onClick={() => act(setError, () => gitlab('POST', `${base}/cancel`), data.reload)}>
              Cancel
            </button>
          ) : (
            <button onClick={() => act(setError, () => gitlab('POST', `${base}/retry`), data.reload)}>Retry</button>
          )}
        </div>
      }
    >
      {error && <Failure error={error} />}
      <p>
        <a href={href(`/${path}`)}>{path}</a> · <Status value={pipeline.status} /> · {pipeline.ref} · <span class="mono">{pipeline.sha.slice(0, 8)}</span>
      </p>
      <div class="stages" data-testid="stages">
        {[...stages].map(([stage, stageJobs]) => (
          <div class="stage" key={stage}>
            <h3>{stage}</h3>
            {stageJobs.map((job) => (
              <a class="stage-job" key={job.id} href={href(`/${path}/-/jobs/${job.id}`)}>
                <Status value={job.status} /> {job.name}
              </a>
            ))}
          </div>
        ))}
      </div>
    </Section>
  );
}

/** A job: its status, its live trace, its artifacts, and retry/cancel/play/erase. */
export function JobPage({ path, id }: { path: string; id: string }) {
  const base = `${projectApi(path)}/jobs/${id}`;
  const load = async () => {
    const [job, trace] = await Promise.all([gitlab<Job>('GET', base), gitlab<string>('GET', `${base}/trace`)]);
    return { job: job.body, trace: typeof trace.body === 'string' ? trace.body : JSON.stringify(trace.body) };
  };
  const data = usePolled(load, base, ({ job }) => UNFINISHED.has(job.status));
  const [error, setError] = useState<Error>();
  if (data.error && !data.data) return <Failure error={data.error} />;
  if (!data.data) return <Loading />;
  const { job, trace } = data.data;
  const button = (label: string, action: string, danger = false) => (
    <button class={danger ? 'danger' : ''} onClick={() => act(setError, () => gitlab('POST', `${base}/${action}`), data.reload)}>
      {label}
    </button>
  );
  return (
    <>
      <Section
        title={`Job ${job.name}`}
        actions={
          <div class="actions">
            {job.status === 'manual' && button('Play', 'play')}
            {UNFINISHED.has(job.status) && button('Cancel', 'cancel', true)}
            {['failed', 'canceled', 'success'].includes(job.status) && !job.erased_at && button('Erase', 'erase', true)}
            {['failed', 'canceled', 'success'].includes(job.status) && (
              <button
                onClick={() =>
                  act(
                    setError,
                    async () => navigate(`/${path}/-/jobs/${(await gitlab<Job>('POST', `${base}/retry`)).body.id}`),
                    () => {},
                  )
                }
              >
                Retry
              </button>
            )}
          </div>
        }
      >
        {error && <Failure error={error} />}
        <p>
          <span data-testid="job-status">
            <Status value={job.status} />
          </span>{' '}
          · stage {job.stage} · <a href={href(`/${path}/-/pipelines/${job.pipeline.id}`)}>pipeline #{job.pipeline.id}</a>
          {job.duration !== null && ` · ${job.duration.toFixed(0)} s`}
        </p>
        {job.erased_at && <p class="muted">Erased {ago(job.erased_at)}: its log and artifacts are gone.</p>}
        <Trace text={trace} />
      </Section>
      {job.artifacts?.some((artifact) => artifact.file_type === 'archive') && <Artifacts base={base} expireAt={job.artifacts_expire_at ?? null} />}
    </>
  );
}
