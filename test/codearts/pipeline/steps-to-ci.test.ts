import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildPipelineDefinition } from '../../../shared/gitlab/ci-config/pipeline';
import { ciFile, commandOf, parameterDefaults, shellQuote, timeoutSeconds, type Step } from '../../../shared/codearts/pipeline/steps-to-ci';

/** A build task's steps as a GitLab CI file, read back by the GitLab dialect's own parser. */
const SHELL = 'devcloud2018.codeci_action_20017.action';

function definitionOf(steps: Step[], extra: Record<string, unknown> = {}) {
  const text = ciFile({ steps, ...extra });
  const pipeline = buildPipelineDefinition(text, {
    ref: 'main',
    tag: false,
    sha: 'a'.repeat(40),
    source: 'api',
    defaultBranch: 'main',
    projectPath: 'codearts-build/x',
    variables: {},
    files: ['.gitlab-ci.yml'],
  });
  expect(pipeline.jobs).toHaveLength(1);
  return pipeline.jobs[0];
}

describe('steps → .gitlab-ci.yml', () => {
  it('makes one untagged job, build, that runs the enabled steps in order with a banner each', () => {
    const job = definitionOf([
      { module_id: SHELL, name: 'Compile', properties: { command: 'make all' } },
      { module_id: SHELL, name: 'Skipped', enable: false, properties: { command: 'rm -rf /' } },
      { module_id: SHELL, name: "Test's step", enable: true, properties: { command: 'make test\nmake check' } },
    ]);
    expect(job).toMatchObject({ name: 'build', stage: 'build', tags: [], when: 'on_success', timeout: null });
    expect(job.script).toEqual(["echo '[1/2] Compile (devcloud2018.codeci_action_20017.action)'", 'make all', `echo '[2/2] Test'\\''s step (${SHELL})'`, 'make test\nmake check']);
  });

  it('turns a step without a command into an echo of what it would run', () => {
    const job = definitionOf([{ module_id: 'devcloud2018.codeci_action_20029.action', name: 'Maven', version: '3.5', properties: { image: 'maven3.5.3-jdk8-open', goals: 'package' } }]);
    expect(job.script[1]).toBe(`echo 'module devcloud2018.codeci_action_20029.action is not available on this runner; it would run with properties {"image":"maven3.5.3-jdk8-open","goals":"package"}'`);
  });

  it('runs something even for a task without steps', () => {
    expect(definitionOf([]).script).toEqual(["echo 'this build task has no enabled steps'"]);
  });

  it('keeps commands and names that look like YAML or shell specials intact', () => {
    const tricky = ['yes', 'on', '0x1F', '- item', 'key: value', '!reference [a]', '*alias', '"quoted"', '$HOME', "a'b"];
    const job = definitionOf(tricky.map((command, i) => ({ module_id: SHELL, name: command, properties: { command: `${command} ${i}` } })));
    expect(job.script.filter((_, i) => i % 2 === 1)).toEqual(tricky.map((command, i) => `${command} ${i}`));
  });

  it('takes parameters as variable defaults and timeout as the job timeout', () => {
    const job = definitionOf([{ module_id: SHELL, name: 'x', properties: { command: 'true' } }], {
      parameters: [
        { name: 'hudson.model.StringParameterDefinition', params: [{ name: 'name', value: 'codeBranch' }, { name: 'type', value: 'normalparam' }, { name: 'defaultValue', value: 'master' }] },
        { name: 'hudson.model.StringParameterDefinition', params: [{ name: 'name', value: 'NO_DEFAULT' }] },
        { name: 'hudson.model.StringParameterDefinition', params: [{ name: 'name', value: 'not a name' }, { name: 'defaultValue', value: 'x' }] },
        'garbage',
      ],
      timeout: { limit: '30', unit: 'MINUTES' },
    });
    expect(job.variables).toEqual({ codeBranch: 'master', NO_DEFAULT: '' });
    expect(job.timeout).toBe(1800);
  });
});

describe('the pieces', () => {
  it('reads commands, also when sent JSON-encoded once more (as Terraform does)', () => {
    expect(commandOf({ module_id: SHELL, name: 'x', properties: { command: 'sleep 600' } })).toBe('sleep 600');
    expect(commandOf({ module_id: SHELL, name: 'x', properties: { command: '"sleep 600"' } })).toBe('sleep 600');
    expect(commandOf({ module_id: SHELL, name: 'x', properties: { command: '"quoted" word' } })).toBe('"quoted" word');
    expect(commandOf({ module_id: SHELL, name: 'x', properties: { command: 42 } })).toBeUndefined();
    expect(commandOf({ module_id: SHELL, name: 'x' })).toBeUndefined();
  });

  it('reads timeouts in the usual units and ignores what is not one', () => {
    expect(timeoutSeconds({ limit: '2', unit: 'HOURS' })).toBe(7200);
    expect(timeoutSeconds({ limit: 90, unit: 's' })).toBe(90);
    expect(timeoutSeconds({ limit: '1.5', unit: 'minutes' })).toBe(90);
    for (const bad of [undefined, null, 'x', { limit: '0', unit: 'm' }, { limit: '-3', unit: 'm' }, { limit: '5', unit: 'fortnights' }, { limit: 'ten', unit: 'm' }]) {
      expect(timeoutSeconds(bad)).toBeUndefined();
    }
  });

  it('ignores parameter lists that are not lists', () => {
    expect(parameterDefaults(undefined)).toEqual({});
    expect(parameterDefaults({ name: 'x' })).toEqual({});
    expect(parameterDefaults([{ params: 'x' }, null])).toEqual({});
  });

  it('quotes for the shell so that the text comes back unchanged', () => {
    for (const text of ["it's", '$(rm -rf /)', '`x`', 'a\nb', '"\\']) {
      expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(text)}`]).toString()).toBe(text);
    }
  });
});
