import { describe, expect, it } from 'vitest';
import { fullMessagesSentence } from '../../../shared/gitlab/validations/messages';
import { projectErrors } from '../../../shared/gitlab/validations/project';
import { isCommitId, isValidBranchName } from '../../../shared/gitlab/validations/ref-name';
import { isValidRepositoryPath } from '../../../shared/gitlab/validations/repository-path';
import { runnerErrors } from '../../../shared/gitlab/validations/runner';
import { userErrors } from '../../../shared/gitlab/validations/user';
import { variableErrors } from '../../../shared/gitlab/validations/variables';

/** The pure checks behind GitLab's model validations and path rules, on plain values. */
describe('repository paths', () => {
  it.each(['README.md', 'src/app.ts', 'a/b/c.d', '.gitlab-ci.yml', '.hidden/x', 'a..b', '..x', 'x..', '100%.txt', 'ünï/çødé ✨.md', 'constructor'])('takes %j', (path) => {
    expect(isValidRepositoryPath(path)).toBe(true);
  });

  it.each(['.', '..', '../x', '..\\x', 'x/..', 'x\\..', 'a/../b', 'a\\..\\b', 'a/./b', './a', 'a//b', 'a/', '/etc/passwd', 'a\\b', 'a\0b', 'a\nb', '.git/config', 'a/.GIT/b', '%2e%2e%2fx', '%2e%2e', 'x\ud800', 'a'.repeat(4097)])('refuses %j', (path) => {
    expect(isValidRepositoryPath(path)).toBe(false);
  });
});

describe('branch names', () => {
  it.each(['main', 'feature/x', 'release-1.2', 'a.b', 'ünï', 'x'.repeat(1013)])('takes %j', (name) => {
    expect(isValidBranchName(name)).toBe(true);
  });

  it.each(['', 'HEAD', '@', '-x', 'a..b', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b', 'a@{1}', 'x.lock', 'a/.b', 'a//b', 'a/', 'a.', 'refs/heads/x', '\u0001', 'x\ud800', 'x'.repeat(1014)])('refuses %j', (name) => {
    expect(isValidBranchName(name)).toBe(false);
  });

  it('tells commit ids from other refs', () => {
    expect(isCommitId('a'.repeat(40))).toBe(true);
    expect(isCommitId('abc')).toBe(false);
    expect(isCommitId('g'.repeat(40))).toBe(false);
  });
});

describe('model errors', () => {
  const project = { name: 'demo', path: 'demo', description: null, ciConfigPath: null };

  it('reports a project in the model’s order', () => {
    expect(projectErrors(project)).toEqual({});
    expect(projectErrors({ ...project, name: 'x'.repeat(256), path: 'x'.repeat(256), description: 'x'.repeat(2001), ciConfigPath: '/ci.yml' })).toEqual({
      description: ['is too long (maximum is 2000 characters)'],
      ci_config_path: ['cannot include leading slash or directory traversal.'],
      name: ['is too long (maximum is 255 characters)'],
      path: ['is too long (maximum is 255 characters)'],
    });
    expect(Object.keys(projectErrors({ ...project, name: '-starts with a dash' }))).toEqual(['name']);
    expect(projectErrors({ ...project, name: 'Ünïcode ✨ + 1.0_x' })).toEqual({});
  });

  it('counts characters, not UTF-16 units', () => {
    expect(projectErrors({ ...project, name: '✨'.repeat(255) })).toEqual({});
    expect(projectErrors({ ...project, name: '😀'.repeat(255) })).toEqual({});
    expect(projectErrors({ ...project, name: '😀'.repeat(256) }).name).toEqual(['is too long (maximum is 255 characters)']);
  });

  it('reports users and runners', () => {
    expect(userErrors({ username: 'dev', name: 'Dev', email: 'dev@example.com' })).toEqual({});
    expect(userErrors({ username: '.x y', name: 'Dev', email: 'nope' })).toEqual({ email: ['is invalid'], username: ["can contain only letters, digits, '_', '-' and '.'"] });
    const runner = runnerErrors({ description: 'x'.repeat(1025), maintenanceNote: null, tagList: Array.from({ length: 51 }, (_, i) => `t${i}`) });
    expect(fullMessagesSentence(runner)).toBe('Tags list Too many tags specified. Please limit the number of tags to 50 and Description is too long (maximum is 1024 characters)');
  });

  it('joins full messages as Rails’ to_sentence does', () => {
    expect(fullMessagesSentence({ name: ['a'] })).toBe('Name a');
    expect(fullMessagesSentence({ name: ['a', 'b'], path: ['c'] })).toBe('Name a, Name b, and Path c');
  });

  it('checks pipeline variables', () => {
    expect(variableErrors([{ key: 'OK_1', value: 'x' }])).toEqual([]);
    expect(variableErrors([{ key: '', value: '' }, { key: 'a-b', value: '' }, { key: 'k'.repeat(256), value: '' }])).toEqual([
      "Variables key can't be blank",
      "Variables key can contain only letters, digits and '_'.",
      'Variables key is too long (maximum is 255 characters)',
    ]);
    expect(variableErrors(Array.from({ length: 10 }, (_, i) => ({ key: `K${i}`, value: 'x'.repeat(10_000) })))).toEqual(['Variables are too large (maximum is 65536 bytes in all)']);
  });
});
