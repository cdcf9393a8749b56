import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/gitlab/ci-config/errors';
import { buildPipelineDefinition } from '../../../shared/gitlab/ci-config/pipeline';
import type { PipelineContext } from '../../../shared/gitlab/ci-config/types';

/** `.gitlab-ci.yml` files GitLab refuses, with its messages, and inputs built to exhaust the parser. */
const context: PipelineContext = {
  ref: 'main',
  tag: false,
  sha: 'a'.repeat(40),
  source: 'api',
  defaultBranch: 'main',
  projectPath: 'root/demo',
  variables: {},
  files: ['.gitlab-ci.yml', 'ci/child.yml'],
};

function errorsOf(text: string, extra: Partial<PipelineContext> = {}): string[] {
  try {
    buildPipelineDefinition(text, { ...context, ...extra });
  } catch (error) {
    if (error instanceof ConfigError) return error.errors;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('type errors in commands', () => {
  it.each([
    ['build:\n  script: 5', 'jobs:build:script'],
    ['build:\n  script: [echo, 5]', 'jobs:build:script'],
    ['build:\n  script: { run: x }', 'jobs:build:script'],
    ['build:\n  script: x\n  before_script: true', 'jobs:build:before_script'],
    ['build:\n  script: x\n  after_script: [[[[[[[[[[[x]]]]]]]]]]]', 'jobs:build:after_script'],
    ['default:\n  before_script: 1\nbuild:\n  script: x', 'jobs:build:before_script'],
  ])('%j', (text, location) => {
    expect(errorsOf(text)).toEqual([`${location} config should be a string or a nested array of strings up to 10 levels deep`]);
  });

  it('takes strings nested up to ten levels', () => {
    const definition = buildPipelineDefinition('build:\n  script: [a, [b, [c]]]\n  after_script: [[[[[[[[[[x]]]]]]]]]]', context);
    expect(definition.jobs[0]).toMatchObject({ script: ['a', 'b', 'c'], afterScript: ['x'] });
  });
});

describe('needs', () => {
  it('refuses jobs that need each other, or themselves', () => {
    expect(errorsOf('a: { script: x, needs: [b] }\nb: { script: x, needs: [a] }')).toEqual(['The pipeline has circular dependencies']);
    expect(errorsOf('a: { script: x, needs: [a] }')).toEqual(['The pipeline has circular dependencies']);
    expect(errorsOf('a: { script: x, needs: [c] }\nb: { script: x, needs: [a] }\nc: { script: x, needs: [b] }\nd: { script: x }')).toEqual(['The pipeline has circular dependencies']);
  });

  it('takes a long chain and a diamond', () => {
    const chain = Array.from({ length: 200 }, (_, i) => `j${i}: { script: x${i === 0 ? '' : `, needs: [j${i - 1}]`} }`).join('\n');
    expect(buildPipelineDefinition(chain, context).jobs).toHaveLength(200);
    const diamond = 'a: { script: x }\nb: { script: x, needs: [a] }\nc: { script: x, needs: [a] }\nd: { script: x, needs: [b, c] }';
    expect(buildPipelineDefinition(diamond, context).jobs.map((job) => job.name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses a job needed twice', () => {
    expect(errorsOf('a: { script: x }\nb: { script: x, needs: [a, { job: a }] }')).toEqual(['b has the following needs duplicated: a.']);
  });
});

describe('include', () => {
  it('stops a file that includes itself at 150 inclusions', () => {
    expect(errorsOf('include: ci/self.yml\njob: { script: x }', { includes: { 'ci/self.yml': 'include: ci/self.yml' } })).toEqual(['Maximum of 150 nested includes are allowed!']);
    expect(errorsOf('include: [ci/a.yml, ci/a.yml]\njob: { script: x }', { includes: { 'ci/a.yml': 'include: [ci/a.yml, ci/a.yml]' } })).toEqual([
      'Maximum of 150 nested includes are allowed!',
    ]);
  });

  it('takes the same file twice', () => {
    const definition = buildPipelineDefinition('include: [ci/jobs.yml, ci/jobs.yml]\n', { ...context, includes: { 'ci/jobs.yml': 'job: { script: x }' } });
    expect(definition.jobs.map((job) => job.name)).toEqual(['job']);
  });

  it('refuses a missing file and one without a YAML extension', () => {
    expect(errorsOf('include: nope.yml\njob: { script: x }')).toEqual(['Local file `nope.yml` does not exist!']);
    expect(errorsOf('include: ci/jobs.txt\njob: { script: x }', { includes: { 'ci/jobs.txt': 'job: { script: x }' } })).toEqual(['Included file `ci/jobs.txt` does not have YAML extension!']);
  });

  it('refuses a trigger whose child file is not in the commit', () => {
    expect(errorsOf('child: { trigger: { include: nope.yml } }')).toEqual(['Local file `nope.yml` does not exist!']);
    expect(errorsOf('child: { trigger: { include: [{ local: /ci/child.yml }, { local: ci/gone.yml }] } }')).toEqual(['Local file `ci/gone.yml` does not exist!']);
    expect(buildPipelineDefinition('child: { trigger: { include: /ci/child.yml } }', context).jobs[0].trigger?.include).toEqual(['/ci/child.yml']);
  });
});

describe('limits', () => {
  it('refuses YAML nested deeper than 100 levels, however deep', () => {
    for (const depth of [101, 10_000, 1_000_000]) {
      expect(errorsOf(`job: { script: x, variables: { A: ${'['.repeat(depth)}${']'.repeat(depth)} } }`)).toEqual(['The parsed YAML is too big']);
    }
    const block = Array.from({ length: 150 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n');
    expect(errorsOf(`${block} x\njob: { script: x }`)).toEqual(['The parsed YAML is too big']);
  });

  it('refuses a job larger than one stored item holds (ours: 256 KiB)', () => {
    expect(errorsOf(`build:\n  script: "${'x'.repeat(300_000)}"`)).toEqual(['jobs:build config is too big (at most 256 KiB per job on this server)']);
    const globals = `variables:\n${Array.from({ length: 200 }, (_, i) => `  V${i}: "${'v'.repeat(2000)}"`).join('\n')}\n`;
    expect(errorsOf(`${globals}job: { script: x }`)).toEqual(['jobs:job config is too big (at most 256 KiB per job on this server)']);
    expect(buildPipelineDefinition(`build:\n  script: "${'x'.repeat(200_000)}"`, context).jobs).toHaveLength(1);
  });

  it('bounds the stages (ours) and the workflow name (GitLab: 255) stored with the pipeline', () => {
    const stages = Array.from({ length: 10 }, (_, i) => `s${i}${'x'.repeat(10_000)}`);
    expect(errorsOf(`stages: [${stages.join(', ')}]\njob: { stage: ${stages[0]}, script: x }`)).toEqual(['stages config is too big (at most 64 KiB on this server)']);
    expect(errorsOf(`workflow: { name: ${'n'.repeat(256)} }\njob: { script: x }`)).toEqual(['workflow name is too long (maximum is 255 characters)']);
  });

  it('refuses an expression of more than 100 tokens, so deep parentheses end there', () => {
    const rule = (expression: string) => `job:\n  script: x\n  rules:\n    - if: '${expression}'`;
    expect(errorsOf(rule(`${'('.repeat(10_000)}$A${')'.repeat(10_000)}`))).toEqual(['jobs:job:rules:rule if invalid expression syntax']);
    expect(errorsOf(rule(Array.from({ length: 51 }, () => '$A').join(' && ')))).toEqual(['jobs:job:rules:rule if invalid expression syntax']);
    expect(buildPipelineDefinition(rule(Array.from({ length: 50 }, () => '$CI').join(' && ')), context).jobs).toHaveLength(1);
  });
});
