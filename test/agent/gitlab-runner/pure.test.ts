import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectArtifacts } from '../../../agent/gitlab-runner/collect';
import { parseRunnerArgs } from '../../../agent/gitlab-runner/config';
import { stepScript } from '../../../agent/gitlab-runner/shell-script';
import { expandVariables } from '../../../agent/gitlab-runner/variables';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'collect-'));
  for (const file of ['out/a.txt', 'out/sub/b.txt', 'out/skip.log', 'report.xml', 'other/c.txt']) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), file);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('artifact paths on the runner', () => {
  it('takes directories whole, globs, and drops excluded files', async () => {
    const { entries, unmatched } = await collectArtifacts(root, ['out/', '*.xml', 'missing/'], ['out/*.log']);
    expect(entries).toEqual(['out/', 'out/a.txt', 'out/sub/', 'out/sub/b.txt', 'report.xml']);
    expect(unmatched).toEqual(['missing/']);
  });

  it('never reaches outside the build folder', async () => {
    const { entries, unmatched } = await collectArtifacts(root, ['../', '/etc/passwd', '**/c.txt'], []);
    expect(entries).toEqual(['other/c.txt']);
    expect(unmatched).toEqual(['../', '/etc/passwd']);
  });
});

describe('the step script', () => {
  it('echoes each command, then stops at the first failure with its exit code', () => {
    const script = stepScript(['echo one', "echo 'two'", 'false', 'echo never']);
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("\x1b[32;1m$ echo one\x1b[0;m\none\n\x1b[32;1m$ echo 'two'\x1b[0;m\ntwo\n\x1b[32;1m$ false\x1b[0;m\n");
  });

  it('fails a pipeline whose first command fails', () => {
    expect(spawnSync('bash', ['-c', stepScript(['false | true'])]).status).toBe(1);
  });
});

describe('runner options', () => {
  it('reads flags and gitlab-runner’s environment', () => {
    const parsed = parseRunnerArgs(['--tag', 'a', '--tag', 'b', '--concurrent', '2', '--run-untagged', 'false'], { CI_SERVER_URL: 'http://gitlab.example/', CI_SERVER_TOKEN: 'glrt-x' });
    expect(parsed).toMatchObject({ help: false, config: { url: 'http://gitlab.example', token: 'glrt-x', tags: ['a', 'b'], concurrent: 2, runUntagged: false, checkInterval: 3 } });
    expect(() => parseRunnerArgs(['--concurrent', '0'], {})).toThrow(/positive/);
    expect(() => parseRunnerArgs(['--url', 'ftp://x'], {})).toThrow(/http/);
  });
});

describe('variable expansion', () => {
  it('expands references to other job variables one level deep, except raw and file ones', () => {
    const expanded = expandVariables([
      { key: 'CI_PROJECT_DIR', value: '/builds/7' },
      { key: 'OUT', value: '$CI_PROJECT_DIR/out and ${CI_PROJECT_DIR}/x' },
      { key: 'PRICE', value: 'costs $$5 $UNKNOWN.' },
      { key: 'RAW', value: '$CI_PROJECT_DIR', raw: true },
      { key: 'FILE', value: '$CI_PROJECT_DIR', file: true },
    ]);
    expect(expanded.map((variable) => variable.value)).toEqual(['/builds/7', '/builds/7/out and /builds/7/x', 'costs $5 .', '$CI_PROJECT_DIR', '$CI_PROJECT_DIR']);
  });
});
