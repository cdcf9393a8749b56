import { render } from 'preact';
import { useState } from 'preact/hooks';
import { AllocationPage } from './nomad/allocation';
import { JobPage } from './nomad/job';
import { Jobs } from './nomad/jobs';
import { Nodes } from './nomad/nodes';
import { NodePage } from './nomad/node';
import { DispatchPage } from './nomad/job-launch';
import { RunJob } from './nomad/run-job';
import { JobPage as GitLabJob, PipelinePage, ProjectPipelines, Projects } from './gitlab/pages';
import { Tasks } from './codearts/tasks';
import { href, interceptLinks, navigate, useLocation } from './router';
import { setToken, tokenOf, type Dialect } from './session';
import './style.css';

const DIALECTS: { dialect: Dialect; label: string }[] = [
  { dialect: 'nomad', label: 'Nomad ACL token (X-Nomad-Token)' },
  { dialect: 'gitlab', label: 'GitLab personal access token (PRIVATE-TOKEN)' },
  { dialect: 'codearts', label: 'CodeArts token (X-Auth-Token)' },
];

function SignIn() {
  const [tokens, setTokens] = useState(() => Object.fromEntries(DIALECTS.map(({ dialect }) => [dialect, tokenOf(dialect)])));
  return (
    <section>
      <h2>Sign in</h2>
      <p class="muted">Tokens are kept in this tab's session storage only and sent as each API's own header.</p>
      <form
        class="sign-in"
        onSubmit={(event) => {
          event.preventDefault();
          for (const { dialect } of DIALECTS) setToken(dialect, tokens[dialect].trim());
          navigate('/nomad/jobs');
        }}
      >
        {DIALECTS.map(({ dialect, label }) => (
          <label key={dialect}>
            {label}
            <input
              name={dialect}
              type="password"
              autocomplete="off"
              value={tokens[dialect]}
              onInput={(event) => setTokens({ ...tokens, [dialect]: event.currentTarget.value })}
            />
          </label>
        ))}
        <button type="submit">Save</button>
      </form>
    </section>
  );
}

function Unknown({ path }: { path: string }) {
  return (
    <section>
      <h2>Not here</h2>
      <p>
        This UI has no page for <code>{path}</code>. <a href={href('/')}>Start page</a>
      </p>
    </section>
  );
}

function Page() {
  const { path, query } = useLocation();
  let match: RegExpMatchArray | null;
  if (path === '/' || path === '/nomad/jobs') return <Jobs query={query} />;
  if (path === '/sign-in') return <SignIn />;
  if (path === '/nomad/jobs/run') return <RunJob />;
  if (path === '/nomad/nodes') return <Nodes />;
  if ((match = path.match(/^\/nomad\/node\/([^/]+)$/))) return <NodePage id={match[1]} />;
  if ((match = path.match(/^\/nomad\/job\/([^/]+)\/dispatch$/))) return <DispatchPage id={decodeURIComponent(match[1])} namespace={query.get('namespace') ?? 'default'} />;
  if ((match = path.match(/^\/nomad\/job\/([^/]+)$/))) return <JobPage id={decodeURIComponent(match[1])} namespace={query.get('namespace') ?? 'default'} />;
  if ((match = path.match(/^\/nomad\/allocation\/([^/]+)$/))) return <AllocationPage id={match[1]} />;
  if (path === '/gitlab/projects') return <Projects />;
  if (path === '/codearts/tasks') return <Tasks />;
  // GitLab's own page paths, so that the `web_url` of our GitLab answers land here.
  if ((match = path.match(/^\/(.+?)\/-\/pipelines\/(\d+)$/))) return <PipelinePage path={match[1]} id={match[2]} />;
  if ((match = path.match(/^\/(.+?)\/-\/jobs\/(\d+)$/))) return <GitLabJob path={match[1]} id={match[2]} />;
  if ((match = path.match(/^\/(.+?)\/-\/pipelines$/))) return <ProjectPipelines path={match[1]} />;
  if ((match = path.match(/^\/([^-][^/]*\/[^-].*?)\/?$/)) && !path.includes('/-/')) return <ProjectPipelines path={match[1]} />;
  return <Unknown path={path} />;
}

function App() {
  const { path } = useLocation();
  const section = path.startsWith('/nomad/node')
    ? 'nodes'
    : path.startsWith('/nomad') || path === '/'
      ? 'nomad'
      : path.startsWith('/codearts')
        ? 'codearts'
        : path === '/sign-in'
          ? 'sign-in'
          : 'gitlab';
  const link = (to: string, label: string, name: string) => (
    <a href={href(to)} class={section === name ? 'active' : ''}>
      {label}
    </a>
  );
  return (
    <>
      <nav class="top">
        <span class="brand">jobplane</span>
        {link('/nomad/jobs', 'Jobs', 'nomad')}
        {link('/nomad/nodes', 'Nodes', 'nodes')}
        {link('/gitlab/projects', 'Projects', 'gitlab')}
        {link('/codearts/tasks', 'CodeArts', 'codearts')}
        <a href="/openapi/">API</a>
        <span class="spacer" />
        {link('/sign-in', 'Sign in', 'sign-in')}
      </nav>
      <main>
        <Page />
      </main>
    </>
  );
}

interceptLinks();
render(<App />, document.getElementById('app')!);
