import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../../agent/common/api-client';
import { render } from '../../../../agent/common/go-template/execute';
import { nomadFuncs, type Brain, type RenderDeps } from '../../../../agent/nomad/template/dependencies';
import { parseEnvFile } from '../../../../agent/nomad/template/env-file';
import { helperFuncs } from '../../../../agent/nomad/template/helpers';
import { NomadVariable } from '../../../../agent/nomad/template/nomad-values';
import { TemplateFailure, TemplateManager, type TemplateEvent, type TemplateSpec } from '../../../../agent/nomad/template/template-manager';

const wire = (path: string, items: Record<string, string>, index = 5) => ({ Namespace: 'default', Path: path, CreateIndex: 3, ModifyIndex: index, CreateTime: 1735725600000000000, ModifyTime: 1735725700123000000, Items: items });

describe('consul-template helpers', () => {
  const funcs = helperFuncs(() => new Date('2026-01-02T03:04:05.678Z'));
  const r = (source: string, data: unknown = {}) => render(source, data, { funcs });

  it('take the piped value last and answer as consul-template does', () => {
    expect(r('{{ "a,b,c" | split "," | join ";" }}')).toBe('a;b;c');
    expect(r('{{ "Hello" | toUpper }} {{ "HeLLo" | toLower }} {{ "hello world" | toTitle }}')).toBe('HELLO hello Hello World');
    expect(r('{{ .m | toJSON }}', { m: { b: '<x>', a: [1, true, null] } })).toBe('{"a":[1,true,null],"b":"\\u003cx\\u003e"}');
    expect(r('{{ .m | toJSONPretty }}', { m: { a: 1 } })).toBe('{\n  "a": 1\n}');
    expect(r('{{ "  x  " | trimSpace }}|{{ "xxaxx" | trim "x" }}|{{ "pre-a" | trimPrefix "pre-" }}|{{ "a.txt" | trimSuffix ".txt" }}')).toBe('x|a|a|a');
    expect(r('{{ "aXbX" | replaceAll "X" "-" }} {{ "v1.2" | regexReplaceAll "v(\\\\d+)" "$1" }} {{ "abc" | regexMatch "^a.c$" }}')).toBe('a-b- 1.2 true');
    expect(r('{{ 3 | add 2 }} {{ 10 | subtract 4 }} {{ 3 | multiply 4 }} {{ 9 | divide 2 }} {{ 9 | modulo 4 }}')).toBe('5 6 12 4 1');
    expect(r('{{ range loop 3 }}{{ . }}{{ end }} {{ "aGk=" | base64Decode }} {{ "hi" | base64Encode }} {{ "a" | sha256Hex }}')).toBe('012 hi aGk= ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb');
    expect(r('{{ "{\\"a\\":{\\"b\\":2}}" | parseJSON | toJSON }} {{ ("a: [1, 2]" | parseYAML).a }} {{ "42" | parseInt | add 1 }} {{ "true" | parseBool }}')).toBe('{"a":{"b":2}} [1 2] 43 true');
    expect(r('{{ $s := scratch }}{{ $s.Set "k" "v" }}{{ $s.Get "k" }} {{ timestamp }} {{ "b" | in (split "," "a,b") }} {{ .l | contains "x" }}', { l: ['x'] })).toBe('v 2026-01-02T03:04:05Z true true');
  });

  it('refuse the functions Nomad disables by default', () => {
    expect(() => r('{{ plugin "x" }}')).toThrow('error calling plugin: function is disabled');
    expect(() => r('{{ writeToFile "/etc/x" "" "" "0644" "" }}')).toThrow('error calling writeToFile: function is disabled');
  });
});

describe("Nomad's template functions", () => {
  const run = (source: string, brain: Brain) => {
    const deps: RenderDeps = { used: new Map(), missing: new Map() };
    const output = render(source, undefined, { funcs: { ...helperFuncs(), ...nomadFuncs(brain, deps, 'apps') } });
    return { output, missing: [...deps.missing.keys()], used: [...deps.used.keys()] };
  };

  it('name what they read as consul-template does, and wait for a nomadVar that does not exist yet', () => {
    const first = run('{{ with nomadVar "nomad/jobs/web" }}{{ .password }}{{ end }}{{ range nomadVarList "nomad/jobs" }}{{ .Path }}{{ end }}{{ nomadVar "x@other.eu" }}', new Map());
    expect(first.missing).toEqual(['nomad.var.block(nomad/jobs/web@apps.global)', 'nomad.var.list(nomad/jobs@apps.global)', 'nomad.var.block(x@other.eu)']);
    expect(run('{{ nomadVarExists "a/b" }}', new Map([['nomad.var.get(a/b@apps.global)', null]]))).toMatchObject({ output: 'false', missing: [] });
  });

  it('give the Items map: values print as strings, a missing key as nothing, with Keys, Values, Tuples and Parent', () => {
    const brain: Brain = new Map([['nomad.var.block(nomad/jobs/web@apps.global)', new NomadVariable(wire('nomad/jobs/web', { user: 'u', password: 'p' })).Items]]);
    const source = '{{ with nomadVar "nomad/jobs/web" }}{{ .user }}:{{ .password }}[{{ .nope }}] {{ .Keys }} {{ .Values }} {{ range .Tuples }}{{ .K }}={{ .V }};{{ end }} {{ .Parent.Path }} {{ .Metadata.ModifyIndex }} {{ .Parent.ModifyTime }} {{ toJSON . }}{{ end }}';
    expect(run(source, brain)).toEqual({
      output: 'u:p[] [password user] [p u] password=p;user=u; nomad/jobs/web 5 2025-01-01 10:01:40.123 +0000 UTC {"password":"p","user":"u"}',
      missing: [],
      used: ['nomad.var.block(nomad/jobs/web@apps.global)'],
    });
    expect(run('{{ range $k, $v := nomadVar "nomad/jobs/web" }}{{ $k }}={{ $v }} {{ end }}', brain).output).toBe('password=p user=u ');
    expect(run('{{ with nomadVar "nomad/jobs/web" }}{{ .user.Value | toUpper }}{{ end }}', brain).output).toBe('U');
    // As in Go, an item is not a string: string functions take its Value.
    expect(() => run('{{ with nomadVar "nomad/jobs/web" }}{{ .user | toUpper }}{{ end }}', brain)).toThrow('template: :1:47: executing "" at <toUpper>: wrong type for value; expected string; got dependency.NomadVarItem');
  });

  it('refuse Consul and Vault functions with the reason', () => {
    expect(() => run('{{ key "app/config" }}', new Map())).toThrow(/template: :1:3: executing "" at <key "app\/config">: error calling key: Consul is not available to this Nomad client/);
    expect(() => run('{{ with secret "kv/data/x" }}{{ end }}', new Map())).toThrow(/error calling secret: Vault is not available to this Nomad client/);
  });
});

describe('env templates', () => {
  it("read as go-envparse reads them", () => {
    expect(parseEnvFile('# c\n\nA=1\nexport B = "x\\ny"\nC=\'lit $x\'\nD=bare # comment\nE=a=b\n')).toEqual({ A: '1', B: 'x\ny', C: 'lit $x', D: 'bare', E: 'a=b' });
    expect(() => parseEnvFile('novalue\n')).toThrow("line 1: missing delimiter '='");
  });
});

/** A tiny server that speaks Nomad's Variables wire format, with blocking reads on `index`. */
class VariablesServer {
  private vars = new Map<string, ReturnType<typeof wire>>();
  private index = 10;
  private waiters: (() => void)[] = [];
  readonly requests: { url: string; headers: Record<string, string | string[] | undefined> }[] = [];
  server!: Server;

  put(path: string, items: Record<string, string>): void {
    this.index++;
    this.vars.set(path, wire(path, items, this.index));
    for (const wake of this.waiters.splice(0)) wake();
  }

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const url = new URL(req.url!, 'http://x');
      this.requests.push({ url: req.url!, headers: req.headers });
      const path = decodeURIComponent(url.pathname.slice('/v1/var/'.length));
      const index = Number(url.searchParams.get('index') ?? 0);
      const current = () => this.vars.get(path)?.ModifyIndex ?? this.index;
      if (index > 0 && current() <= index) await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 2_000);
      });
      const found = this.vars.get(path);
      res.setHeader('X-Nomad-Index', String(found?.ModifyIndex ?? this.index));
      if (!found) {
        res.statusCode = 404;
        res.end('variable not found');
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(found));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

describe('the template manager', () => {
  const root = mkdtempSync(join(tmpdir(), 'templates-'));
  const vars = new VariablesServer();
  let http: ApiClient;
  beforeAll(async () => {
    http = new ApiClient({ baseUrl: await vars.start(), headers: { 'X-Nomad-Task': 'web' } });
  });
  afterAll(() => {
    vars.server.close();
    rmSync(root, { recursive: true, force: true });
  });

  function setup(name: string, templates: TemplateSpec[]) {
    const taskDir = join(root, name, 'web');
    const dirs = { allocDir: join(root, name, 'alloc'), taskDir, localDir: join(taskDir, 'local'), secretsDir: join(taskDir, 'secrets'), tmpDir: join(taskDir, 'tmp') };
    for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
    const events: TemplateEvent[] = [];
    const restarts: string[] = [];
    const manager = new TemplateManager({
      templates,
      dirs,
      env: { NOMAD_SECRETS_DIR: '/secrets', NOMAD_ALLOC_ID: 'a1' },
      interpolate: (text) => text.replace('${NOMAD_SECRETS_DIR}', '/secrets'),
      namespace: 'default',
      http,
      missingEventDelayMs: 50,
      lifecycle: {
        isRunning: () => true,
        restart: async (event) => void restarts.push(event.displayMessage),
        signal: (signal, event) => void events.push({ ...event, displayMessage: `${event.displayMessage} ${signal}` }),
        kill: async (event) => void events.push(event),
        exec: async () => 0,
        emit: (event) => void events.push(event),
      },
    });
    return { manager, events, restarts, dirs };
  }

  it('waits for a Variable, writes the file with its perms and the env, and restarts the task when the Variable changes', async () => {
    const { manager, events, restarts, dirs } = setup('one', [
      { EmbeddedTmpl: 'user={{ with nomadVar "nomad/jobs/web" }}{{ .user }}{{ end }} alloc={{ env "NOMAD_ALLOC_ID" }}\n', DestPath: 'local/app.conf', Perms: '0600', ChangeMode: 'restart', Splay: 0 },
      { EmbeddedTmpl: '{{ with nomadVar "nomad/jobs/web" }}DB_USER={{ .user }}{{ end }}\n', DestPath: '${NOMAD_SECRETS_DIR}/app.env', Envvars: true, ChangeMode: 'noop' },
    ]);
    const abort = new AbortController();
    const env = manager.prestart(abort.signal);
    await expect.poll(() => events.map((event) => `${event.type}: ${event.displayMessage}`)).toContain('Template: Missing: nomad.var.block(nomad/jobs/web@default.global)');
    vars.put('nomad/jobs/web', { user: 'alice' });
    expect(await env).toEqual({ DB_USER: 'alice' });
    expect(readFileSync(join(dirs.localDir, 'app.conf'), 'utf8')).toBe('user=alice alloc=a1\n');
    expect(statSync(join(dirs.localDir, 'app.conf')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dirs.secretsDir, 'app.env'), 'utf8')).toBe('DB_USER=alice\n');
    expect(vars.requests.some((request) => request.headers['x-nomad-task'] === 'web' && /[?&]index=\d+/.test(request.url))).toBe(true);

    vars.put('nomad/jobs/web', { user: 'bob' });
    await expect.poll(() => restarts, { timeout: 10_000 }).toEqual(['Template with change_mode restart re-rendered']);
    expect(readFileSync(join(dirs.localDir, 'app.conf'), 'utf8')).toBe('user=bob alloc=a1\n');
    expect(manager.templateEnv).toEqual({ DB_USER: 'bob' });
    manager.stop();
  });

  it('signals the task for a signal template and leaves it alone for noop', async () => {
    vars.put('nomad/jobs/sig', { v: '1' });
    const { manager, events, restarts } = setup('two', [{ EmbeddedTmpl: '{{ with nomadVar "nomad/jobs/sig" }}{{ .v }}{{ end }}', DestPath: 'local/s', ChangeMode: 'signal', ChangeSignal: 'SIGHUP', Splay: 0 }]);
    await manager.prestart(new AbortController().signal);
    vars.put('nomad/jobs/sig', { v: '2' });
    await expect.poll(() => events.filter((event) => event.type === 'Signaling'), { timeout: 10_000 }).toEqual([{ type: 'Signaling', displayMessage: 'Template re-rendered SIGHUP', taskSignal: 'hangup' }]);
    expect(restarts).toEqual([]);
    manager.stop();
  });

  it('waits for the data to be quiet for wait.min before acting on changes', async () => {
    vars.put('nomad/jobs/quiet', { v: '1' });
    const { manager, restarts, dirs } = setup('quiet', [{ EmbeddedTmpl: '{{ with nomadVar "nomad/jobs/quiet" }}{{ .v }}{{ end }}', DestPath: 'local/q', Splay: 0, Wait: { Min: 1.5e9, Max: 10e9 } }]);
    await manager.prestart(new AbortController().signal);
    vars.put('nomad/jobs/quiet', { v: '2' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    vars.put('nomad/jobs/quiet', { v: '3' });
    await expect.poll(() => restarts, { timeout: 10_000 }).toEqual(['Template with change_mode restart re-rendered']);
    expect(readFileSync(join(dirs.localDir, 'q'), 'utf8')).toBe('3');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(restarts).toHaveLength(1);
    manager.stop();
  });

  it('fails with "Template failed" for a template that cannot render, and refuses a destination outside the task', async () => {
    const { manager } = setup('three', [{ EmbeddedTmpl: '{{ key "app/x" }}', DestPath: 'local/k' }]);
    await expect(manager.prestart(new AbortController().signal)).rejects.toThrow(new TemplateFailure('Template failed: : execute: template: :1:3: executing "" at <key "app/x">: error calling key: Consul is not available to this Nomad client; only Nomad-native template functions (nomadVar, nomadVarList, nomadService, nomadServices) can be rendered'));
    const parseError = setup('four', [{ EmbeddedTmpl: '{{ nope }}', DestPath: 'local/k' }]).manager;
    await expect(parseError.prestart(new AbortController().signal)).rejects.toThrow('Template failed: : parse: template: :1: function "nope" not defined');
    expect(() => setup('five', [{ EmbeddedTmpl: 'x', DestPath: '../../../etc/passwd' }])).toThrow('template destination path escapes alloc directory');
  });

  it('renders custom delimiters and a source file from the task directory', async () => {
    const { manager, dirs } = setup('six', [{ SourcePath: 'local/in.tpl', DestPath: 'local/out', LeftDelim: '[[', RightDelim: ']]' }]);
    void manager;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dirs.localDir, 'in.tpl'), '[[ env "NOMAD_ALLOC_ID" ]] {{ keep }}');
    const again = setup('six', [{ SourcePath: 'local/in.tpl', DestPath: 'local/out', LeftDelim: '[[', RightDelim: ']]' }]);
    await again.manager.prestart(new AbortController().signal);
    expect(readFileSync(join(dirs.localDir, 'out'), 'utf8')).toBe('a1 {{ keep }}');
  });
});
