import { describe, expect, it } from 'vitest';
import { changesMatch, CompareToNeeded, type ChangesContext } from '../../../shared/gitlab/ci-config/changes';
import { ConfigError } from '../../../shared/gitlab/ci-config/errors';

/** `rules:changes` as a pure function of the changed paths (see changes.ts). */
const pushed = (paths: string[] | null, since: [string, string[] | null][] = []): ChangesContext => ({ paths, since: new Map(since) });
const match = (value: unknown, context: ChangesContext | undefined, variables: Record<string, string> = {}) => changesMatch('job', 'jobs:job:rules:rule', value, variables, context);

describe('rules:changes', () => {
  it('matches globs as fnmatch with FNM_PATHNAME | FNM_DOTMATCH', () => {
    const context = pushed(['src/app/main.js', '.github/ci.yml', 'README.md']);
    expect(match(['src/*.js'], context)).toBe(false);
    expect(match(['src/**/*.js'], context)).toBe(true);
    expect(match(['.github/*'], context)).toBe(true);
    expect(match(['*.md'], context)).toBe(true);
    expect(match(['docs/**/*'], context)).toBe(false);
    expect(match({ paths: ['{README,CHANGELOG}.md'] }, context)).toBe(true);
  });

  it('expands the variables a glob names and leaves the others', () => {
    const context = pushed(['services/api/x.go', '$UNKNOWN/y']);
    expect(match(['$DIR/**/*'], context, { DIR: 'services/api' })).toBe(true);
    expect(match(['${DIR}/*.go'], context, { DIR: 'services/api' })).toBe(true);
    expect(match(['$UNKNOWN/*'], context)).toBe(true);
  });

  it('holds without a push range, and without any context (lint)', () => {
    expect(match(['nothing'], pushed(null))).toBe(true);
    expect(match(['nothing'], undefined)).toBe(true);
    expect(match([], pushed(['a']))).toBe(false);
  });

  it('asks for compare_to paths, then uses them; an unknown ref is refused in GitLab words', () => {
    expect(() => match({ paths: ['a'], compare_to: 'main' }, pushed(null))).toThrow(CompareToNeeded);
    expect(match({ paths: ['a'], compare_to: 'main' }, pushed(null, [['main', ['a']]]))).toBe(true);
    expect(match({ paths: ['a'], compare_to: 'main' }, pushed(['a'], [['main', []]]))).toBe(false);
    expect(() => match({ paths: ['a'], compare_to: 'gone' }, pushed(null, [['gone', null]]))).toThrow(
      new ConfigError(['Failed to parse rule for job: rules:changes:compare_to is not a valid ref']),
    );
  });

  it('refuses malformed values', () => {
    expect(() => match('src/*', pushed([]))).toThrow(ConfigError);
    expect(() => match({ paths: ['a'], when: 'x' }, pushed([]))).toThrow(/changes config contains unknown keys: when/);
    expect(() => match({ compare_to: 'main' }, pushed([]))).toThrow(/paths should be an array of strings/);
  });
});
