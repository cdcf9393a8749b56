import { describe, expect, it } from 'vitest';
import type { ProjectVariableRecord } from '../../../shared/gitlab/records';
import { scopeMatches, variableErrors, variablesForJob } from '../../../shared/gitlab/state/ci-variables';

function variable(key: string, fields: Partial<ProjectVariableRecord> = {}): ProjectVariableRecord {
  return { projectId: 1, key, value: 'value', variableType: 'env_var', protected: false, masked: false, hidden: false, raw: false, environmentScope: '*', description: null, createdAt: 0, ...fields };
}

describe('CI/CD variables (Ci::Variable, Ci::Maskable, HasEnvironmentScope)', () => {
  it('matches environment scopes with wildcards; no environment takes only *', () => {
    expect(scopeMatches('*', null)).toBe(true);
    expect(scopeMatches('review/*', 'review/fix-1')).toBe(true);
    expect(scopeMatches('review/*', 'production')).toBe(false);
    expect(scopeMatches('production', 'production')).toBe(true);
    expect(scopeMatches('production', null)).toBe(false);
    expect(scopeMatches('a.b', 'axb')).toBe(false);
  });

  it('gives a job the most specific scope of a key, and protected variables only on protected refs', () => {
    const all = [variable('URL', { value: 'star' }), variable('URL', { value: 'review', environmentScope: 'review/*' }), variable('SECRET', { protected: true })];
    expect(variablesForJob(all, { protectedRef: false, environment: 'review/x' }).map((v) => [v.key, v.value])).toEqual([['URL', 'review']]);
    expect(variablesForJob(all, { protectedRef: true, environment: null }).map((v) => [v.key, v.value])).toEqual([['URL', 'star'], ['SECRET', 'value']]);
  });

  it('validates keys, masked values and scopes with GitLab’s messages', () => {
    expect(variableErrors({ key: 'OK_1', value: 'x', masked: false, raw: false, environmentScope: '*' })).toEqual({});
    expect(variableErrors({ key: 'a b', value: 'short', masked: true, raw: false, environmentScope: 'x#y' })).toEqual({
      key: ["can contain only letters, digits and '_'."],
      value: ['is invalid'],
      environment_scope: ["can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', '*' and spaces"],
    });
    expect(variableErrors({ key: 'K', value: 'with space 123', masked: true, raw: true, environmentScope: '*' })).toEqual({ value: ['is invalid'] });
    expect(variableErrors({ key: 'K', value: 'no$spaces!', masked: true, raw: true, environmentScope: '*' })).toEqual({});
  });
});
