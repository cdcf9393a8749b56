import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BlobWriter, TextReader, ZipWriter } from '@zip.js/zip.js';
import { c as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../agent/common/logger';
import { startNomadAgent, type NomadAgent } from '../../../../agent/nomad/agent';
import { execHealth } from '../../../../agent/nomad/drivers/exec';
import { detectDriverHost } from '../../../../agent/nomad/drivers/registry';
import { callUrl, eventually, startApiServer, type ApiServer } from '../../../support/nomad-http';
import { useFreshResources } from '../../../support/resources';

/**
 * Template and artifact blocks end to end: a real agent running raw_exec tasks against the API
 * (with its Variables), artifacts served by a loopback HTTP server.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'agent-tmpl-'));
let server: ApiServer;
let base: string;
let agent: NomadAgent;
let files: Server;
let filesUrl: string;
const fileRequests: { url: string; token?: string }[] = [];

const call = (method: string, path: string, body?: unknown) => callUrl(base, method, path, body);
const exec = execHealth(detectDriverHost());
const noExec = exec.healthy ? '' : ` (skipped: ${exec.description})`;
const RESTART = { Attempts: 1, Interval: 300e9, Delay: 1e9, Mode: 'fail' };

function job(id: string, type: string, task: Record<string, unknown>) {
  return { Job: { ID: id, Type: type, Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Count: 1, RestartPolicy: RESTART, Tasks: [{ Name: 't', Driver: 'raw_exec', Resources: { CPU: 100, MemoryMB: 32 }, ...task }] }] } };
}

async function alloc(jobId: string, done: (alloc: any) => boolean) {
  const found = await eventually(
    () => call('GET', `/v1/job/${jobId}/allocations`),
    (r) => r.body?.length === 1 && done(r.body[0]),
  );
  return (await call('GET', `/v1/allocation/${found.body[0].ID}`)).body;
}

const log = async (allocId: string) => (await call('GET', `/v1/client/fs/logs/${allocId}?task=t&type=stdout&plain=true`)).text;
const events = (a: any) => a.TaskStates.t.Events.map((event: any) => `${event.Type}: ${event.DisplayMessage}`);

beforeAll(async () => {
  await useFreshResources();
  server = await startApiServer('tmpl-worker');
  base = server.url;

  const site = join(dataDir, 'site');
  mkdirSync(join(site, 'bundle', 'bin'), { recursive: true });
  writeFileSync(join(site, 'bundle', 'bin', 'hello.sh'), '#!/bin/sh\necho hello from the bundle\n', { mode: 0o755 });
  writeFileSync(join(site, 'bundle', 'README'), 'readme\n');
  await createTar({ gzip: true, file: join(dataDir, 'bundle.tar.gz'), cwd: join(site, 'bundle') }, ['bin', 'README']);
  const zip = new ZipWriter(new BlobWriter());
  await zip.add('conf/app.ini', new TextReader('[app]\nport=1\n'));
  const zipped = Buffer.from(await (await zip.close()).arrayBuffer());
  const served: Record<string, Buffer> = {
    '/bundle.tar.gz': readFileSync(join(dataDir, 'bundle.tar.gz')),
    '/conf.zip': zipped,
    '/tool.txt': Buffer.from('a plain tool\n'),
    '/notes.txt.gz': gzipSync('gunzipped notes\n'),
  };
  files = createServer((req, res) => {
    fileRequests.push({ url: req.url!, token: req.headers['x-token'] as string | undefined });
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/moved') {
      res.writeHead(302, { Location: '/tool.txt' }).end();
      return;
    }
    const body = served[path];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;

  agent = startNomadAgent(
    { api: base, dataDir: join(dataDir, 'agent'), name: 'tmpl', datacenter: 'dc1', nodePool: 'default', nodeClass: '', meta: {}, drivers: ['raw_exec', 'exec'], address: '127.0.0.1', logLevel: 'error', stopTasksOnExit: true },
    createLogger(process.env.AGENT_TEST_LOG ? 'debug' : 'error'),
  );
  await agent.ready;
});

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
  files?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('template blocks', () => {
  it('render a Variable into local/ and the task environment, and restart the task when the Variable changes', async () => {
    expect((await call('PUT', '/v1/var/nomad/jobs/web', { Items: { user: 'alice', port: '8080' } })).status).toBe(200);
    const spec = job('web', 'service', {
      Config: { command: '/bin/sh', args: ['-c', 'echo "conf=$(cat local/app.conf) env=$DB_USER"; sleep 300'] },
      Templates: [
        { EmbeddedTmpl: '{{ with nomadVar "nomad/jobs/web" }}{{ .user }}:{{ .port }}{{ end }}', DestPath: 'local/app.conf', Splay: 0 },
        { EmbeddedTmpl: '{{ with nomadVar "nomad/jobs/web" }}DB_USER={{ .user.Value | toUpper }}{{ end }}\n', DestPath: '${NOMAD_SECRETS_DIR}/app.env', Envvars: true, ChangeMode: 'noop' },
      ],
    });
    expect((await call('POST', '/v1/jobs', spec)).status).toBe(200);
    const running = await alloc('web', (a) => a.ClientStatus === 'running');
    await expect.poll(() => log(running.ID), { timeout: 30_000 }).toBe('conf=alice:8080 env=ALICE\n');

    expect((await call('PUT', '/v1/var/nomad/jobs/web', { Items: { user: 'bob', port: '9090' } })).status).toBe(200);
    await expect.poll(() => log(running.ID), { timeout: 30_000 }).toBe('conf=alice:8080 env=ALICE\nconf=bob:9090 env=BOB\n');
    const after = (await call('GET', `/v1/allocation/${running.ID}`)).body;
    expect(events(after)).toEqual(
      expect.arrayContaining(['Restart Signaled: Template with change_mode restart re-rendered', 'Restarting: Task restarting in 0s']),
    );
    expect(after.TaskStates.t).toMatchObject({ State: 'running', Restarts: 1, Failed: false });
    await call('DELETE', '/v1/job/web');
  });

  it.skipIf(!!noExec)(`render into an exec task's chroot: its NOMAD_SECRETS_DIR is /secrets inside, the files are there, the env is set${noExec}`, async () => {
    expect((await call('PUT', '/v1/var/nomad/jobs/jailed', { Items: { token: 's3cret' } })).status).toBe(200);
    const spec = job('jailed', 'batch', {
      Driver: 'exec',
      Config: { command: '/bin/sh', args: ['-c', 'echo "$NOMAD_SECRETS_DIR $(cat /secrets/token) $(cat /local/greeting) $TOKEN $(id -un)"'] },
      Templates: [
        { EmbeddedTmpl: '{{ with nomadVar "nomad/jobs/jailed" }}{{ .token }}{{ end }}', DestPath: '${NOMAD_SECRETS_DIR}/token', Perms: '0644' },
        { EmbeddedTmpl: 'hello from {{ env "NOMAD_TASK_NAME" }} in {{ env "NOMAD_TASK_DIR" }}', DestPath: 'local/greeting' },
        { EmbeddedTmpl: '{{ with nomadVar "nomad/jobs/jailed" }}TOKEN={{ .token }}{{ end }}', DestPath: 'secrets/env', Envvars: true },
      ],
    });
    expect((await call('POST', '/v1/jobs', spec)).status).toBe(200);
    const done = await alloc('jailed', (a) => a.ClientStatus === 'complete' || a.ClientStatus === 'failed');
    expect(await log(done.ID)).toBe('/secrets s3cret hello from t in /local s3cret nobody\n');
  });

  it('signal the task for change_mode signal, without a restart', async () => {
    expect((await call('PUT', '/v1/var/nomad/jobs/hup', { Items: { v: '1' } })).status).toBe(200);
    const spec = job('hup', 'service', {
      Config: { command: '/bin/sh', args: ['-c', 'trap \'echo "reload $(cat local/v)"\' HUP; echo "start $(cat local/v)"; while true; do sleep 0.2; done'] },
      Templates: [{ EmbeddedTmpl: '{{ with nomadVar "nomad/jobs/hup" }}{{ .v }}{{ end }}', DestPath: 'local/v', ChangeMode: 'signal', ChangeSignal: 'SIGHUP', Splay: 0 }],
    });
    expect((await call('POST', '/v1/jobs', spec)).status).toBe(200);
    const running = await alloc('hup', (a) => a.ClientStatus === 'running');
    await expect.poll(() => log(running.ID), { timeout: 30_000 }).toBe('start 1\n');
    expect((await call('PUT', '/v1/var/nomad/jobs/hup', { Items: { v: '2' } })).status).toBe(200);
    await expect.poll(() => log(running.ID), { timeout: 30_000 }).toBe('start 1\nreload 2\n');
    const after = (await call('GET', `/v1/allocation/${running.ID}`)).body;
    expect(after.TaskStates.t).toMatchObject({ State: 'running', Restarts: 0 });
    expect(after.TaskStates.t.Events.find((event: any) => event.Type === 'Signaling')).toMatchObject({ DisplayMessage: 'Template re-rendered', TaskSignal: 'hangup', Details: { task_signal: 'hangup' } });
    await call('DELETE', '/v1/job/hup');
  });

  it('wait for a Variable that does not exist yet, saying what is missing', async () => {
    const spec = job('later', 'batch', {
      Config: { command: '/bin/sh', args: ['-c', 'cat local/later.txt'] },
      Templates: [{ EmbeddedTmpl: '{{ with nomadVar "nomad/jobs/later" }}{{ .v }}{{ end }}', DestPath: 'local/later.txt' }],
    });
    expect((await call('POST', '/v1/jobs', spec)).status).toBe(200);
    const waiting = await alloc('later', (a) => (a.TaskStates?.t?.Events ?? []).some((event: any) => event.Type === 'Template'));
    expect(events(waiting)).toContain('Template: Missing: nomad.var.block(nomad/jobs/later@default.global)');
    expect(waiting.TaskStates.t.State).toBe('pending');
    expect((await call('PUT', '/v1/var/nomad/jobs/later', { Items: { v: 'now here' } })).status).toBe(200);
    const done = await alloc('later', (a) => a.ClientStatus === 'complete');
    expect(await log(done.ID)).toBe('now here');
  });

  it('read Nomad services with nomadService and nomadServices', async () => {
    const web = job('svc', 'service', { Config: { command: '/bin/sh', args: ['-c', 'sleep 300'] } });
    Object.assign(web.Job.TaskGroups[0], { Networks: [{ DynamicPorts: [{ Label: 'http' }] }], Services: [{ Name: 'websvc', PortLabel: 'http', Provider: 'nomad', Tags: ['v1'] }] });
    expect((await call('POST', '/v1/jobs', web)).status).toBe(200);
    const registered = await eventually(() => call('GET', '/v1/service/websvc'), (r) => r.body?.length === 1);
    const { Address, Port } = registered.body[0];

    const spec = job('reader', 'batch', {
      Config: { command: '/bin/sh', args: ['-c', 'cat local/upstreams'] },
      Templates: [{ EmbeddedTmpl: '{{ range nomadService "v1.websvc" }}{{ .Name }}={{ .Address }}:{{ .Port }} {{ .Tags }}{{ end }};{{ range nomadServices }}{{ .Name }}{{ .Tags }}{{ end }}', DestPath: 'local/upstreams' }],
    });
    expect((await call('POST', '/v1/jobs', spec)).status).toBe(200);
    const done = await alloc('reader', (a) => a.ClientStatus === 'complete');
    expect(await log(done.ID)).toBe(`websvc=${Address}:${Port} [v1];websvc[v1]`);
    await call('DELETE', '/v1/job/svc');
  });

  it('fail the task with "Template failed" for a Consul function', async () => {
    const spec = job('consul', 'batch', { Config: { command: '/bin/true' }, Templates: [{ EmbeddedTmpl: '{{ key "service/config" }}', DestPath: 'local/c' }] });
    expect((await call('POST', '/v1/jobs', spec)).status).toBe(200);
    const failed = await alloc('consul', (a) => a.ClientStatus === 'failed');
    const killing = failed.TaskStates.t.Events.find((event: any) => event.Type === 'Killing');
    expect(killing).toMatchObject({ FailsTask: true, Details: { fails_task: 'true' } });
    expect(killing.DisplayMessage).toMatch(/^Template failed: : execute: template: :1:3: executing "" at <key "service\/config">: error calling key: Consul is not available/);
    expect(failed.TaskStates.t).toMatchObject({ State: 'dead', Failed: true });
    expect(failed.TaskStates.t.Events.map((event: any) => event.Type)).not.toContain('Started');
  });
});

describe('artifact blocks', () => {
  it('download, check and unpack artifacts before the task starts', async () => {
    const toolSum = createHash('sha256').update('a plain tool\n').digest('hex');
    const spec = job('fetch', 'batch', {
      Config: { command: '/bin/sh', args: ['-c', 'local/bin/hello.sh; cat local/README local/tool.txt local/conf/app.ini local/renamed local/notes.txt; ls local/moved'] },
      Artifacts: [
        { GetterSource: `${filesUrl}/bundle.tar.gz` },
        { GetterSource: `${filesUrl}/tool.txt`, GetterOptions: { checksum: `sha256:${toolSum}` }, GetterHeaders: { 'X-Token': 'secret-${NOMAD_TASK_NAME}' } },
        { GetterSource: `${filesUrl}/conf.zip`, RelativeDest: 'local/', GetterMode: 'dir' },
        { GetterSource: `${filesUrl}/moved`, GetterMode: 'file', RelativeDest: 'local/renamed' },
        { GetterSource: `${filesUrl}/notes.txt.gz` },
        { GetterSource: `${filesUrl}/tool.txt`, RelativeDest: 'local/moved' },
      ],
    });
    expect((await call('POST', '/v1/jobs', spec)).status).toBe(200);
    const done = await alloc('fetch', (a) => a.ClientStatus === 'complete' || a.ClientStatus === 'failed');
    expect(done.ClientStatus).toBe('complete');
    expect(await log(done.ID)).toBe('hello from the bundle\nreadme\na plain tool\n[app]\nport=1\na plain tool\ngunzipped notes\ntool.txt\n');
    expect(done.TaskStates.t.Events.map((event: any) => event.Type)).toEqual(['Received', 'Task Setup', 'Downloading Artifacts', 'Started', 'Terminated']);
    expect(events(done)).toContain('Downloading Artifacts: Client is downloading artifacts');
    expect(fileRequests.find((request) => request.url === '/tool.txt')?.token).toBe('secret-t');
  });

  it('report a failed download as Nomad does and apply the restart policy', async () => {
    const spec = job('broken', 'batch', {
      Config: { command: '/bin/true' },
      Artifacts: [{ GetterSource: `${filesUrl}/tool.txt`, GetterOptions: { checksum: 'sha256:0000000000000000000000000000000000000000000000000000000000000000' } }],
    });
    expect((await call('POST', '/v1/jobs', spec)).status).toBe(200);
    const failed = await alloc('broken', (a) => a.ClientStatus === 'failed');
    const types = failed.TaskStates.t.Events.map((event: any) => event.Type);
    expect(types).toEqual(['Received', 'Task Setup', 'Downloading Artifacts', 'Failed Artifact Download', 'Restarting', 'Downloading Artifacts', 'Failed Artifact Download', 'Not Restarting']);
    const failure = failed.TaskStates.t.Events.find((event: any) => event.Type === 'Failed Artifact Download');
    expect(failure.DownloadError).toMatch(new RegExp(`^failed to download artifact "${filesUrl}/tool.txt": Checksums did not match for .*\\.\\nExpected: 0{64}\\nGot: ${createHash('sha256').update('a plain tool\n').digest('hex')}\\n\\*sha256\\.digest$`));
    expect(failure).toMatchObject({ DisplayMessage: failure.DownloadError, Details: { download_error: failure.DownloadError } });
    expect(failed.TaskStates.t).toMatchObject({ State: 'dead', Failed: true });

    const missing = job('missing', 'batch', { Config: { command: '/bin/true' }, Artifacts: [{ GetterSource: `${filesUrl}/nope.tar.gz` }] });
    expect((await call('POST', '/v1/jobs', missing)).status).toBe(200);
    const gone = await alloc('missing', (a) => a.ClientStatus === 'failed');
    expect(gone.TaskStates.t.Events.find((event: any) => event.Type === 'Failed Artifact Download').DownloadError).toBe(
      `failed to download artifact "${filesUrl}/nope.tar.gz": error downloading '${filesUrl}/nope.tar.gz': bad response code: 404`,
    );
  });
});
