import { describe, expect, it } from 'vitest';
import { ConfigError, PipelineFilteredError } from '../../../shared/gitlab/ci-config/errors';
import { parseDurationSeconds } from '../../../shared/gitlab/ci-config/duration';
import { buildPipelineDefinition, NO_JOBS_MESSAGE, WORKFLOW_FILTERED_MESSAGE } from '../../../shared/gitlab/ci-config/pipeline';
import type { PipelineContext } from '../../../shared/gitlab/ci-config/types';

const context: PipelineContext = {
  ref: 'main',
  tag: false,
  sha: 'a'.repeat(40),
  source: 'api',
  defaultBranch: 'main',
  projectPath: 'root/demo',
  variables: {},
  files: ['.gitlab-ci.yml', 'Makefile', 'src/app.ts'],
};

const build = (text: string, extra: Partial<PipelineContext> = {}) => buildPipelineDefinition(text, { ...context, ...extra });

function errorOf(text: string, extra: Partial<PipelineContext> = {}): string {
  try {
    build(text, extra);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PipelineFilteredError) return error.message;
    throw error;
  }
  throw new Error('no error');
}

describe('.gitlab-ci.yml → pipeline definition', () => {
  it('reads stages, scripts, image, tags, variables and artifacts', () => {
    const definition = build(`
stages: [build, test]
variables:
  GLOBAL: "1"
  NUM: 3
build:
  stage: build
  image: node:20
  tags: [docker, linux]
  before_script: echo before
  script:
    - npm ci
    - [npm run build, npm test]
  after_script: [echo done]
  variables: { LOCAL: x }
  artifacts:
    paths: [dist/]
    expire_in: 1 week
    reports: { junit: report.xml }
  retry: 2
  timeout: 1h 30m
`);
    expect(definition.stages).toEqual(['build']);
    const job = definition.jobs[0];
    expect(job).toMatchObject({
      name: 'build',
      stage: 'build',
      image: { name: 'node:20', entrypoint: null, pullPolicy: null },
      tags: ['docker', 'linux'],
      beforeScript: ['echo before'],
      script: ['npm ci', 'npm run build', 'npm test'],
      afterScript: ['echo done'],
      variables: { GLOBAL: '1', NUM: '3', LOCAL: 'x' },
      retry: { max: 2, when: ['always'], exitCodes: [] },
      timeout: 5400,
      when: 'on_success',
      needs: null,
    });
    expect(job.artifacts).toMatchObject({ paths: ['dist/'], expireIn: '1 week', when: 'on_success', reports: { junit: ['report.xml'] } });
  });

  it('applies default:, the deprecated globals and inherit', () => {
    const definition = build(`
default:
  image: ruby:3.3
  before_script: [bundle]
  tags: [shared]
image: ignored-because-default-wins
a: { script: rspec }
b: { script: rubocop, image: alpine, inherit: { default: [tags] } }
c: { script: x, inherit: { default: false } }
`);
    const [a, b, c] = definition.jobs;
    expect(a).toMatchObject({ image: { name: 'ruby:3.3' }, beforeScript: ['bundle'], tags: ['shared'] });
    expect(b).toMatchObject({ image: { name: 'alpine' }, beforeScript: [], tags: ['shared'] });
    expect(c).toMatchObject({ image: null, beforeScript: [], tags: [] });
  });

  it('resolves extends (deep merge, several parents, hidden templates) and !reference', () => {
    const definition = build(`
.base:
  image: node
  variables: { A: "1", B: "1" }
  script: [base]
.other:
  variables: { B: "2" }
.setup:
  script: [setup-step]
job:
  extends: [.base, .other]
  variables: { C: "3" }
  script:
    - !reference [.setup, script]
    - run
`);
    expect(definition.jobs).toHaveLength(1);
    expect(definition.jobs[0]).toMatchObject({ image: { name: 'node' }, variables: { A: '1', B: '2', C: '3' }, script: ['setup-step', 'run'] });
  });

  it('reads when, start_in, allow_failure, needs and trigger', () => {
    const definition = build(`
build: { stage: build, script: make }
deploy: { stage: deploy, script: deploy, when: manual }
later: { stage: deploy, script: x, when: delayed, start_in: 30 minutes }
flaky: { script: x, allow_failure: { exit_codes: [42, 137] } }
dag: { stage: deploy, script: x, needs: [build, { job: flaky, artifacts: false }] }
child: { stage: deploy, trigger: { include: ci/child.yml, strategy: depend } }
downstream: { stage: deploy, trigger: group/other }
`, { files: [...context.files, 'ci/child.yml'] });
    const byName = Object.fromEntries(definition.jobs.map((job) => [job.name, job]));
    expect(byName.deploy).toMatchObject({ when: 'manual', allowFailure: null });
    expect(byName.later).toMatchObject({ when: 'delayed', startIn: 1800 });
    expect(byName.flaky).toMatchObject({ allowFailure: false, allowFailureExitCodes: [42, 137] });
    expect(byName.dag.needs).toEqual([
      { job: 'build', artifacts: true, optional: false },
      { job: 'flaky', artifacts: false, optional: false },
    ]);
    expect(byName.child.trigger).toMatchObject({ include: ['ci/child.yml'], strategy: 'depend', project: null });
    expect(byName.downstream.trigger).toMatchObject({ project: 'group/other', include: [] });
    expect(definition.stages).toEqual(['build', 'test', 'deploy']);
  });

  it('evaluates rules: first match wins, when/variables/allow_failure from the rule, no match leaves the job out', () => {
    const text = `
variables: { DEPLOY: "yes" }
test: { script: x }
deploy:
  script: x
  rules:
    - if: $CI_COMMIT_BRANCH == "release"
      when: never
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $DEPLOY == "yes"
      when: manual
      allow_failure: false
      variables: { TARGET: prod }
docs:
  script: x
  rules:
    - exists: ["docs/**/*.md"]
make:
  script: x
  rules:
    - exists: [Makefile]
`;
    const main = build(text);
    expect(main.jobs.map((job) => job.name)).toEqual(['test', 'deploy', 'make']);
    expect(main.jobs[1]).toMatchObject({ when: 'manual', allowFailure: false, variables: { DEPLOY: 'yes', TARGET: 'prod' } });
    expect(build(text, { ref: 'release' }).jobs.map((job) => job.name)).toEqual(['test', 'make']);
    expect(build(text, { variables: { DEPLOY: 'no' } }).jobs.map((job) => job.name)).toEqual(['test', 'make']);
  });

  it('evaluates only/except', () => {
    const text = `
a: { script: x, only: [main] }
b: { script: x, except: [main] }
c: { script: x, only: { refs: [branches], variables: [$GO == "1"] } }
d: { script: x, only: [/^feature-.*$/] }
`;
    expect(build(text).jobs.map((job) => job.name)).toEqual(['a']);
    expect(build(text, { ref: 'feature-x', variables: { GO: '1' } }).jobs.map((job) => job.name)).toEqual(['b', 'c', 'd']);
  });

  it('applies workflow rules to the whole pipeline', () => {
    const text = `
workflow:
  name: "Pipeline for $CI_COMMIT_BRANCH"
  rules:
    - if: $CI_PIPELINE_SOURCE == "push"
      when: never
    - when: always
      variables: { FROM_WORKFLOW: "1" }
job: { script: x }
`;
    expect(build(text).jobs[0].variables).toEqual({ FROM_WORKFLOW: '1' });
    expect(errorOf(text, { source: 'push' })).toBe(WORKFLOW_FILTERED_MESSAGE);
  });

  it('drops optional needs on jobs left out by rules, and fails on required ones', () => {
    const text = (optional: boolean) => `
build: { stage: build, script: x, rules: [{ if: $NEVER }] }
test: { script: x, needs: [{ job: build, optional: ${optional} }] }
`;
    expect(build(text(true)).jobs[0].needs).toEqual([]);
    expect(errorOf(text(false))).toBe("'test' job needs 'build' job, but 'build' is not in any previous stage");
  });

  it.each([
    ['', 'Please provide content of .gitlab-ci.yml'],
    ['just a string', 'Invalid configuration format'],
    ['job: {script: [x}', /^\(<unknown>\): /],
    ['job: { image: x }', 'jobs:job config should implement the script:, run:, or trigger: keyword'],
    ['job: { script: x, foo: 1 }', 'jobs:job config contains unknown keys: foo'],
    ['job: { script: x, parallel: 201 }', 'jobs:job:parallel config must be less than or equal to 200'],
    ['job: { script: x, secrets: { A: { vault: a/b } } }', 'jobs:job uses secrets, which this server does not support'],
    ['job: { script: x, stage: nope }', 'job job: chosen stage nope does not exist; available stages are .pre, build, test, deploy, .post'],
    ['job: { script: x, when: sometimes }', 'jobs:job when should be one of: on_success, on_failure, always, manual, delayed'],
    ['job: { script: x, when: delayed }', 'jobs:job start in should be a duration'],
    ['job: { script: x, when: delayed, start_in: 2 weeks }', 'jobs:job start in should not exceed the limit'],
    ['job: { script: x, start_in: 1 minute }', 'jobs:job start in must be blank'],
    ['job: { script: x, needs: [ghost] }', 'job job: undefined need: ghost'],
    ['a: { stage: deploy, script: x }\nb: { stage: build, script: x, needs: [a] }', 'b job: need a is not defined in current or prior stages'],
    ['job: { script: x, extends: .missing }', 'job: unknown keys in `extends` (.missing)'],
    ['.a: { extends: .b }\n.b: { extends: .a }\njob: { extends: .a, script: x }', /circular dependency detected in `extends`/],
    ['.hidden: { script: x }', 'jobs config should contain at least one visible job'],
    ['job: { script: x, rules: [{ if: $A == }] }', 'jobs:job:rules:rule if invalid expression syntax'],
    ['job: { script: x, retry: 5 }', 'jobs:job:retry max config must be less than or equal to 2'],
    ['job: { script: x, artifacts: { expire_in: soon } }', 'jobs:job:artifacts expire in should be a duration'],
    ['include: other.yml\njob: { script: x }', 'Local file `other.yml` does not exist!'],
    ['include: { remote: "https://example.com/ci.yml" }\njob: { script: x }', /^Included file `https:\/\/example.com\/ci.yml` uses include:remote, which this server does not support/],
    ['stages: build\njob: { script: x }', 'stages config should be an array of strings'],
    ['job: { script: x, rules: [{ if: $NOPE }] }', NO_JOBS_MESSAGE],
  ])('rejects %j', (text, message) => {
    if (message instanceof RegExp) expect(errorOf(text)).toMatch(message);
    else expect(errorOf(text)).toBe(message);
  });

  it('treats an empty rules:exists pattern as matching no file', () => {
    const text = `
a: { script: x, rules: [{ exists: [""] }] }
b: { script: x, rules: [{ exists: ["", Makefile] }] }
c: { script: x, rules: [{ exists: { paths: [""] } }] }
`;
    expect(build(text).jobs.map((job) => job.name)).toEqual(['b']);
    expect(errorOf('a: { script: x, rules: [{ exists: [""] }] }')).toBe(NO_JOBS_MESSAGE);
  });

  it('reads a spec: header only as the first of several YAML documents', () => {
    const headed = build(`spec:
  description: a template
---
deploy: { script: x }
`);
    expect(headed.jobs.map((job) => job.name)).toEqual(['deploy']);
    expect(build('spec:\n  inputs:\n    env: { default: prod }\n---\ndeploy: { script: "echo $[[ inputs.env ]]" }\n').jobs[0].script).toEqual(['echo prod']);
    const single = build(`
spec: { script: [make spec] }
test: { script: x }
`);
    expect(single.jobs.map((job) => job.name)).toEqual(['spec', 'test']);
    expect(single.jobs[0].script).toEqual(['make spec']);
    expect(errorOf('spec: { inputs: { env: { default: prod } } }\ntest: { script: x }')).toBe('jobs:spec uses inputs, which this server does not support');
    // Without a header, GitLab reads the first document only.
    expect(build('first: { script: x }\n---\nsecond: { script: y }\n').jobs.map((job) => job.name)).toEqual(['first']);
  });

  it('creates no pipeline whose only jobs are in .pre and .post', () => {
    const text = `
validate: { stage: .pre, script: x }
build: { stage: build, script: x, rules: [{ if: $CI_COMMIT_BRANCH == "main" }] }
notify: { stage: .post, script: x }
`;
    expect(build(text).stages).toEqual(['.pre', 'build', '.post']);
    expect(errorOf(text, { ref: 'feature' })).toBe(NO_JOBS_MESSAGE);
    expect(errorOf('validate: { stage: .pre, script: x }')).toBe(NO_JOBS_MESSAGE);
  });
});

describe('include: local', () => {
  it('merges included files first and the including file on top, nested', () => {
    const definition = build(
      `
include:
  - local: /ci/base.yml
  - ci/jobs.yml
variables: { LEVEL: main }
test: { script: [main-test] }
`,
      {
        includes: {
          'ci/base.yml': 'include: ci/deep.yml\nvariables: { LEVEL: base, BASE: "1" }\n.template: { image: alpine }',
          'ci/deep.yml': 'deep: { script: deep, extends: .template }',
          'ci/jobs.yml': 'test: { script: [included-test], stage: build }',
        },
      },
    );
    expect(definition.jobs.map((job) => job.name)).toEqual(['deep', 'test']);
    expect(definition.jobs[0]).toMatchObject({ image: { name: 'alpine' }, variables: { LEVEL: 'main', BASE: '1' } });
    expect(definition.jobs[1]).toMatchObject({ script: ['main-test'], stage: 'build' });
  });
});

describe('durations', () => {
  it.each<[string | number, number | undefined]>([
    ['30', 30],
    [45, 45],
    ['30 minutes', 1800],
    ['1h 30m', 5400],
    ['1 hour', 3600],
    ['2 days', 172800],
    ['1 week', 604800],
    ['3 weeks and 2 days', 3 * 604800 + 2 * 86400],
    ['1 month', 30 * 86400],
    ['soon', undefined],
  ])('%j → %j', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });
});
