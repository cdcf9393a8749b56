import { describe, expect, it } from 'vitest';
import { canonicalizeJob } from '../../../shared/nomad/jobspec/canonicalize';
import { parseJobspec } from '../../../shared/nomad/jobspec/hcl/parse-jobspec';
import { validateJob } from '../../../shared/nomad/jobspec/validate';

const job = (task: Record<string, unknown>) => ({ ID: 'web', TaskGroups: [{ Name: 'app', Tasks: [{ Name: 'server', Driver: 'raw_exec', ...task }] }] });

describe('template and artifact blocks on the server', () => {
  it("gives templates and artifacts Nomad's API defaults", () => {
    const task = canonicalizeJob(
      job({
        Templates: [{ EmbeddedTmpl: 'x', DestPath: 'local/a' }, { EmbeddedTmpl: 'y', DestPath: 'local/b', ChangeMode: 'signal' }, { EmbeddedTmpl: 'z', DestPath: 'local/c', ChangeSignal: 'sigusr1', ChangeMode: 'script', ChangeScript: { Command: '/bin/true' } }],
        Artifacts: [{ GetterSource: 'https://example.com/app.tar.gz' }, { GetterSource: 'https://example.com/bin/tool', GetterMode: 'file', GetterOptions: {} }],
      }),
    ).TaskGroups[0].Tasks[0];
    expect(task.Templates![0]).toEqual({
      SourcePath: '', DestPath: 'local/a', EmbeddedTmpl: 'x', ChangeMode: 'restart', ChangeSignal: '', ChangeScript: null, Once: false, Splay: 5e9, Perms: '0644',
      Uid: null, Gid: null, LeftDelim: '{{', RightDelim: '}}', Envvars: false, VaultGrace: 0, Wait: null, ErrMissingKey: false,
    });
    expect(task.Templates![1]).toMatchObject({ ChangeMode: 'signal', ChangeSignal: 'SIGHUP' });
    expect(task.Templates![2]).toMatchObject({ ChangeSignal: 'SIGUSR1', ChangeScript: { Command: '/bin/true', Args: [], Timeout: 5e9, FailOnError: false } });
    expect(task.Artifacts![0]).toEqual({ GetterSource: 'https://example.com/app.tar.gz', GetterOptions: null, GetterHeaders: null, GetterMode: 'any', GetterInsecure: false, RelativeDest: 'local/' });
    expect(task.Artifacts![1]).toMatchObject({ GetterMode: 'file', RelativeDest: 'local/tool', GetterOptions: null });
  });

  it("refuses what Nomad's Template and TaskArtifact validation refuse", () => {
    const { errors } = validateJob(
      canonicalizeJob(
        job({
          Templates: [{ DestPath: '' }, { EmbeddedTmpl: 'x', DestPath: '../../../etc/x', ChangeMode: 'bogus', Perms: '999' }, { EmbeddedTmpl: 'x', DestPath: 'local/e', ChangeMode: 'signal', ChangeSignal: '', Envvars: true }, { EmbeddedTmpl: 'y', DestPath: 'local/e' }],
          Artifacts: [{ GetterSource: '', GetterMode: 'tree', RelativeDest: '../../..' }, { GetterSource: 'https://x/y', GetterOptions: { checksum: 'sha256:abcd' } }, { GetterSource: 'https://x/y', GetterOptions: { checksum: 'crc:00' } }],
        }),
      ),
    );
    const text = errors.join('\n');
    for (const line of [
        'Template 1 validation failed: Must specify a source path or have an embedded template',
        'Template 1 validation failed: Must specify a destination for the template',
        'Template 2 validation failed: destination escapes allocation directory',
        'Template 2 validation failed: Invalid change mode. Must be one of the following: noop, signal, script, restart',
        'Template 2 validation failed: Failed to parse "999" as octal: strconv.ParseUint: parsing "999": invalid syntax',
        'Template 3 validation failed: cannot use signals with env var templates',
        'Template 4 has same destination as 3',
        'Artifact 1 validation failed: source must be specified',
        'Artifact 1 validation failed: invalid artifact mode "tree"; must be one of: any, file, dir',
        'Artifact 1 validation failed: destination escapes allocation directory',
        'Artifact 2 validation failed: invalid sha256 checksum (abcd); expected 32 bytes, got 2',
        'Artifact 3 validation failed: unsupported checksum type: crc',
    ])
      expect(text).toContain(`* ${line}\n`);
    expect(validateJob(canonicalizeJob(job({ Templates: [{ EmbeddedTmpl: 'x', DestPath: '${NOMAD_SECRETS_DIR}/x' }], Artifacts: [{ GetterSource: 'https://x/y' }] }))).errors).toEqual([]);
  });

  it('reads template and artifact blocks from HCL with their attribute names', () => {
    const parsed = parseJobspec(`job "web" {
  group "app" {
    task "server" {
      driver = "raw_exec"
      template {
        data                 = "[[ .x ]]"
        destination          = "secrets/app.env"
        env                  = true
        change_mode          = "signal"
        change_signal        = "sighup"
        left_delimiter       = "[["
        right_delimiter      = "]]"
        perms                = "0600"
        splay                = "10s"
        error_on_missing_key = true
      }
      artifact {
        source      = "https://example.com/app.zip"
        destination = "local/app"
        mode        = "dir"
        options { checksum = "sha256:00" }
        headers { X-Token = "t" }
      }
      artifact { source = "https://example.com/b" }
    }
  }
}`);
    const task = canonicalizeJob(parsed).TaskGroups[0].Tasks[0];
    expect(task.Templates![0]).toMatchObject({ EmbeddedTmpl: '[[ .x ]]', DestPath: 'secrets/app.env', Envvars: true, ChangeMode: 'signal', ChangeSignal: 'SIGHUP', LeftDelim: '[[', RightDelim: ']]', Perms: '0600', Splay: 10e9, ErrMissingKey: true });
    expect(task.Artifacts).toEqual([
      { GetterSource: 'https://example.com/app.zip', RelativeDest: 'local/app', GetterMode: 'dir', GetterOptions: { checksum: 'sha256:00' }, GetterHeaders: { 'X-Token': 't' }, GetterInsecure: false },
      { GetterSource: 'https://example.com/b', RelativeDest: 'local/', GetterMode: 'any', GetterOptions: null, GetterHeaders: null, GetterInsecure: false },
    ]);
  });
});
