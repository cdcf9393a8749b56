import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/gitlab/ci-config/errors';
import { collectIncludes, type IncludeReader } from '../../../shared/gitlab/ci-config/includes';
import { buildPipelineDefinition } from '../../../shared/gitlab/ci-config/pipeline';
import type { JobDefinition, PipelineContext, PipelineDefinition } from '../../../shared/gitlab/ci-config/types';

/** The keywords of issue 17: parallel, environment, resource_group, include forms, inputs, cross-pipeline needs. */
const FIXTURES = join(__dirname, '../fixtures/ci');

const context: PipelineContext = {
  ref: 'main',
  tag: false,
  sha: 'a'.repeat(40),
  source: 'push',
  defaultBranch: 'main',
  projectPath: 'group/app',
  variables: {},
  files: ['.gitlab-ci.yml'],
};

function build(text: string, extra: Partial<PipelineContext> = {}): PipelineDefinition {
  return buildPipelineDefinition(text, { ...context, ...extra });
}

function errorOf(text: string, extra: Partial<PipelineContext> = {}): string {
  try {
    build(text, extra);
  } catch (error) {
    if (error instanceof ConfigError) return error.errors.join(', ');
    throw error;
  }
  throw new Error('the configuration was accepted');
}

function byName(definition: PipelineDefinition): Record<string, JobDefinition> {
  return Object.fromEntries(definition.jobs.map((job) => [job.name, job]));
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
}

/** A fixture with the files of its folder as the commit's files, read as pipeline creation reads them. */
async function buildFixture(name: string, extra: Partial<PipelineContext> = {}): Promise<PipelineDefinition> {
  const text = readFileSync(join(FIXTURES, `${name}.gitlab-ci.yml`), 'utf8');
  const root = join(FIXTURES, name);
  let files: string[] = [];
  try {
    files = walk(root).map((path) => relative(root, path));
  } catch {
    files = [];
  }
  const reader: IncludeReader = { read: async (source, path) => (source.project === null && files.includes(path) ? readFileSync(join(root, path), 'utf8') : undefined) };
  const collected = await collectIncludes(text, reader, { files });
  return build(text, { files, ...collected, ...extra });
}

describe('parallel', () => {
  it('makes N numbered jobs, each with its index and the total', () => {
    const jobs = build('test: { script: x, parallel: 3 }').jobs;
    expect(jobs.map((job) => job.name)).toEqual(['test 1/3', 'test 2/3', 'test 3/3']);
    expect(jobs.map((job) => job.parallel)).toEqual([1, 2, 3].map((index) => ({ index, total: 3 })));
  });

  it('makes one job per matrix combination, named by its values, with them as variables', () => {
    const jobs = byName(build('build:\n  script: x\n  variables: { ARCH: none, KEEP: "1" }\n  parallel:\n    matrix:\n      - OS: [linux, mac]\n        ARCH: [amd64, arm64]\n      - OS: windows\n        ARCH: amd64\n'));
    expect(Object.keys(jobs)).toEqual(['build: [linux, amd64]', 'build: [linux, arm64]', 'build: [mac, amd64]', 'build: [mac, arm64]', 'build: [windows, amd64]']);
    expect(jobs['build: [mac, arm64]'].variables).toMatchObject({ OS: 'mac', ARCH: 'arm64', KEEP: '1' });
    expect(jobs['build: [windows, amd64]'].parallel).toEqual({ index: 5, total: 5 });
  });

  it('expands needs and dependencies on a parallel job to all of its jobs, or the chosen combinations', async () => {
    const jobs = byName(await buildFixture('matrix-build'));
    expect(Object.keys(jobs)).toEqual([
      'compile: [linux, amd64]',
      'compile: [linux, arm64]',
      'compile: [darwin, amd64]',
      'compile: [darwin, arm64]',
      'compile: [windows, amd64]',
      'unit 1/3',
      'unit 2/3',
      'unit 3/3',
      'lint',
      'publish',
    ]);
    expect(jobs['unit 2/3'].needs).toEqual([{ job: 'compile: [linux, amd64]', artifacts: true, optional: false }]);
    expect(jobs.publish.needs?.map((need) => need.job)).toEqual([...Object.keys(jobs).slice(0, 5), 'unit 1/3', 'unit 2/3', 'unit 3/3']);
    expect(jobs.publish.resourceGroup).toBe('release');
    expect(jobs.publish.interruptible).toBe(false);
    expect(jobs.lint.interruptible).toBe(true);
    expect(jobs.lint.dependencies).toEqual([]);
    expect(jobs['unit 1/3'].coverage).toBe('/TOTAL.*\\s(\\d+%)$/');
    const definition = await buildFixture('matrix-build');
    expect(definition.name).toBe('Build main');
    expect(definition.autoCancel).toEqual({ onNewCommit: 'interruptible', onJobFailure: 'none' });
  });

  it('refuses what GitLab refuses', () => {
    expect(errorOf('t: { script: x, parallel: 0 }')).toBe('jobs:t:parallel config must be greater than or equal to 1');
    expect(errorOf('t: { script: x, parallel: "2" }')).toBe('jobs:t:parallel should be an integer or a hash');
    expect(errorOf('t: { script: x, parallel: { matrix: [{ A: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], B: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] }] } }')).toBe(
      'jobs:t:parallel:matrix config generates too many jobs (maximum is 200)',
    );
    expect(errorOf('b: { script: x, parallel: { matrix: [{ A: [x, y] }] } }\nt: { stage: deploy, script: x, needs: [{ job: b, parallel: { matrix: [{ A: z }] } }] }')).toBe('t job: undefined need: b: [z]');
  });
});

describe('environment and resource_group', () => {
  it('reads environments with their names and urls expanded, and checks on_stop', async () => {
    const branch = byName(await buildFixture('review-apps', { ref: 'feature/Login' }));
    expect(Object.keys(branch)).toEqual(['build', 'review', 'stop review']);
    expect(branch.review.environment).toEqual({
      name: 'review/feature-login',
      url: 'https://feature-login.review.example.com',
      action: 'start',
      onStop: 'stop review',
      autoStopIn: '1 week',
      deploymentTier: 'development',
    });
    expect(branch['stop review'].environment?.action).toBe('stop');
    expect(branch.review.resourceGroup).toBe('');
    expect(branch.build.artifacts?.reports).toEqual({ dotenv: ['build.env'] });
    const main = byName(await buildFixture('review-apps'));
    expect(Object.keys(main)).toEqual(['build', 'staging', 'production']);
    expect(main.production.when).toBe('manual');
    expect(main.production.environment?.deploymentTier).toBe('production');
  });

  it('refuses environments GitLab refuses', () => {
    expect(errorOf('d: { script: x, environment: { url: "https://x" } }')).toBe("jobs:d:environment name can't be blank");
    expect(errorOf('d: { script: x, environment: { name: prod, action: destroy } }')).toBe('jobs:d:environment action should be start, stop, prepare, verify, or access');
    expect(errorOf('d: { script: x, environment: { name: prod, on_stop: gone } }')).toBe('d job: on_stop job gone is not defined');
    expect(errorOf('d: { script: x, environment: { name: prod, on_stop: s } }\ns: { script: x, environment: { name: prod } }')).toBe('d job: on_stop job s needs to have action stop defined');
    expect(errorOf('d: { script: x, resource_group: [a] }')).toBe('jobs:d resource group should be a string');
  });
});

describe('include', () => {
  it('applies inputs, wildcards, rules and !reference across included files', async () => {
    const jobs = byName(await buildFixture('shared-includes'));
    expect(Object.keys(jobs).sort()).toEqual(['deploy staging', 'lint', 'smoke', 'unit']);
    expect(jobs['deploy staging'].script).toEqual(['./deploy.sh --env staging --replicas 2']);
    expect(jobs['deploy staging'].variables).toMatchObject({ REPLICAS: '2', DRY_RUN: 'false' });
    expect(jobs['deploy staging'].environment?.name).toBe('staging');
    expect(jobs.unit.script).toEqual(['echo shared setup', 'make test']);
    expect(jobs.smoke.script).toEqual(['echo shared setup', './smoke.sh']);
    const withDocs = byName(await buildFixture('shared-includes', { files: ['ci/templates/deploy.yml', 'ci/jobs/lint.yml', 'ci/jobs/unit.yml', 'ci/optional.yml', 'docs/index.md'] }));
    expect(withDocs.docs).toBeDefined();
    const branch = byName(await buildFixture('shared-includes', { ref: 'topic' }));
    expect(branch.smoke).toBeUndefined();
  });

  it('checks inputs as GitLab does', () => {
    const template = 'spec:\n  inputs:\n    env:\n      options: [staging, production]\n    count: { type: number, default: 1 }\n---\njob: { script: "echo $[[ inputs.env ]] $[[ inputs.count ]]" }\n';
    const withInputs = (inputs: Record<string, unknown>) => `include:\n  - local: t.yml\n    inputs: ${JSON.stringify(inputs)}\n`;
    const extra = { includes: { 't.yml': template }, files: ['t.yml'] };
    expect(build(withInputs({ env: 'production' }), extra).jobs[0].script).toEqual(['echo production 1']);
    expect(errorOf(withInputs({}), extra)).toBe('`env` input: required value has not been provided');
    expect(errorOf(withInputs({ env: 'qa' }), extra)).toBe('`env` input: `qa` cannot be used because it is not in the list of allowed options');
    expect(errorOf(withInputs({ env: 'staging', count: 'two' }), extra)).toBe('`count` input: provided value is not a number');
    expect(errorOf(withInputs({ env: 'staging', other: 1 }), extra)).toBe('unknown input arguments: other');
    expect(errorOf('spec:\n  inputs:\n    a: { default: x }\n---\njob: { script: "echo $[[ inputs.b ]]" }\n')).toBe('unknown interpolation key: `b`');
    expect(build('spec:\n  inputs:\n    a: { default: x }\n---\njob: { script: "echo $[[ inputs.a ]]" }\n', { inputs: { a: 'given' } }).jobs[0].script).toEqual(['echo given']);
  });

  it('keeps typed values where a block is the whole value, and Ruby text inside strings', () => {
    const text = `spec:
  inputs:
    job_name: { default: dependency-scanning }
    stage: { default: test }
    allow_failure: { type: boolean, default: true }
    depth: { type: number, default: 2 }
    paths: { type: array, default: [a, b] }
---
"$[[ inputs.job_name ]]":
  stage: $[[ inputs.stage ]]
  allow_failure: $[[ inputs.allow_failure ]]
  script:
    - export DEPTH="\${DEPTH:-$[[ inputs.depth ]]}" PATHS='$[[ inputs.paths ]]' NAME=$[[ inputs.job_name | truncate(0, 10) ]]
`;
    const job = build(text).jobs[0];
    expect(job).toMatchObject({ name: 'dependency-scanning', stage: 'test', allowFailure: true });
    expect(job.script).toEqual(['export DEPTH="\${DEPTH:-2}" PATHS=\'["a", "b"]\' NAME=dependency']);
  });

  it('refuses GitLab-hosted templates, remote files and components by name', () => {
    expect(errorOf('include: { template: Auto-DevOps.gitlab-ci.yml }')).toMatch(/^Included file `Auto-DevOps.gitlab-ci.yml` uses include:template, which this server does not support/);
    expect(errorOf('include: https://example.com/ci.yml')).toMatch(/uses include:remote/);
    expect(errorOf('include: { component: gitlab.com/components/sast/sast@1.0 }')).toMatch(/uses include:component/);
  });

  it('reads include:project files through the reader, with their own local includes', async () => {
    const other: Record<string, string> = { 'ci/base.yml': 'include: ci/inner.yml\nbase: { script: base }', 'ci/inner.yml': 'inner: { script: inner }' };
    const reader: IncludeReader = {
      read: async (source, path) => {
        if (source.project === 'group/templates' && source.ref === 'v1') return other[path];
        if (source.project === 'group/secret') throw new ConfigError(['Project `group/secret` not found or access denied! Make sure any includes in the pipeline configuration are correctly defined.']);
        return undefined;
      },
    };
    const text = 'include: { project: group/templates, ref: v1, file: [ci/base.yml] }\nown: { script: own }';
    const collected = await collectIncludes(text, reader, { files: [] });
    expect(build(text, collected).jobs.map((job) => job.name)).toEqual(['inner', 'base', 'own']);
    const denied = 'include: { project: group/secret, file: ci.yml }\nown: { script: own }';
    expect(errorOf(denied, await collectIncludes(denied, reader, { files: [] }))).toBe('Project `group/secret` not found or access denied! Make sure any includes in the pipeline configuration are correctly defined.');
  });
});

describe('needs across pipelines', () => {
  it('keeps needs:project and needs:pipeline apart from the DAG of this pipeline', () => {
    const job = build('t:\n  script: x\n  needs:\n    - { project: group/lib, job: build, ref: main, artifacts: true }\n    - { pipeline: $PARENT_PIPELINE_ID, job: gen }\n').jobs[0];
    expect(job.needs).toEqual([]);
    expect(job.crossNeeds).toEqual([
      { job: 'build', artifacts: true, project: 'group/lib', ref: 'main', pipeline: null },
      { job: 'gen', artifacts: true, project: null, ref: null, pipeline: '$PARENT_PIPELINE_ID' },
    ]);
  });
});

describe('default and refused keywords', () => {
  it('inherits every keyword GitLab allows under default:, and refuses the ones this server lacks by name', () => {
    expect(errorOf('default: { identity: google_cloud }\nj: { script: x }')).toBe('jobs:j uses identity, which this server does not support');
    const job = build('default:\n  hooks: { pre_get_sources_script: [git config --global x y] }\n  id_tokens: { VAULT_TOKEN: { aud: https://vault.example.com } }\nj: { script: x }').jobs[0];
    expect(job.hooks).toEqual({ preGetSourcesScript: ['git config --global x y'] });
    expect(job.idTokens).toEqual({ VAULT_TOKEN: 'https://vault.example.com' });
    expect(errorOf('j: { script: x, id_tokens: { T: { audience: x } } }')).toBe('jobs:j:id_tokens:T config contains unknown keys: audience');
    expect(errorOf('default: { color: red }\nj: { script: x }')).toBe('default config contains unknown keys: color');
    for (const key of ['release: { tag_name: v1, description: x }', 'secrets: { A: { vault: a/b } }', 'pages: true', 'publish: public']) {
      expect(errorOf(`j: { script: x, ${key} }`)).toMatch(/^jobs:j uses (release|secrets|pages|publish), which this server does not support$/);
    }
  });

  it('only: kubernetes: active leaves the job out (no cluster integration here)', () => {
    expect(build('a: { script: x }\nk: { script: x, only: { kubernetes: active } }').jobs.map((job) => job.name)).toEqual(['a']);
  });
});

describe('!reference', () => {
  it('is resolved after includes are merged, in rules too, with GitLab messages when it cannot be', () => {
    const extra = { includes: { 'ci/rules.yml': '.main-only:\n  rules:\n    - if: $CI_COMMIT_BRANCH == "main"\n' }, files: ['ci/rules.yml'] };
    const text = 'include: ci/rules.yml\njob:\n  script: x\n  rules:\n    - !reference [.main-only, rules]\n';
    expect(build(text, extra).jobs.map((job) => job.name)).toEqual(['job']);
    expect(() => build(text, { ...extra, ref: 'topic' })).toThrow('Pipeline will not run');
    expect(errorOf('job:\n  script: !reference [.nope, script]\n')).toBe('!reference [".nope", "script"] could not be found');
    expect(errorOf('job:\n  script:\n    - !reference [job, script]\n')).toBe('!reference ["job", "script"] is part of a circular chain');
    expect(errorOf('.list: [a]\njob:\n  script: !reference [.list, 0]\n')).toBe('!reference [".list", 0] is not valid');
  });
});
