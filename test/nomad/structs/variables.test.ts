import { describe, expect, it } from 'vitest';
import { compileAcl } from '../../../shared/nomad/acl/acl';
import { parsePolicyRules } from '../../../shared/nomad/acl/policy';
import { lockHeld, lockRenewable, pathProblem, variableProblem } from '../../../shared/nomad/structs/variable';
import { wireLock } from '../../../shared/nomad/wire/variable';
import { formatGoDuration } from '../../../shared/util/go-duration';

describe('Variables: pure rules', () => {
  it('formats durations as Go’s Duration.String', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [15_000, '15s'],
      [90_000, '1m30s'],
      [3_600_000, '1h0m0s'],
      [86_400_000, '24h0m0s'],
      [1_500, '1.5s'],
      [250, '250ms'],
      [0.001, '1µs'],
      [0.000_5, '500ns'],
      [-2_000, '-2s'],
    ];
    for (const [ms, text] of cases) expect(formatGoDuration(ms), String(ms)).toBe(text);
    expect(wireLock({ ID: 'x', TTLMs: 0, LockDelayMs: 10_000 })).toEqual({ TTL: '', LockDelay: '10s', ID: 'x' });
  });

  it('validates paths as structs.ValidatePath', () => {
    expect(pathProblem('a/b-c_d~e/0')).toBeUndefined();
    expect(pathProblem('nomad/jobs')).toBeUndefined();
    expect(pathProblem('nomad/job-templates/x')).toBeUndefined();
    expect(pathProblem('nomad/job-templates/x/y')).toMatch(/^"nomad\/job-templates" is a reserved directory path/);
    expect(pathProblem('')).toBe('variable requires path');
    expect(pathProblem('a b')).toBe('invalid path "a b"');
    expect(pathProblem('x'.repeat(128))).toBeUndefined();
    expect(variableProblem({ Namespace: 'default', Path: 'p', Items: {}, CreateIndex: 0, CreateTime: 0, ModifyIndex: 0, ModifyTime: 0 })).toBe('empty variables are invalid');
  });

  it('holds a lock through its TTL and then its delay, renewable only within the TTL', () => {
    const lock = { ID: 'l', TTLMs: 10_000, LockDelayMs: 5_000, expiresAt: 100_000 };
    expect([lockHeld(lock, 99_999), lockRenewable(lock, 99_999)]).toEqual([true, true]);
    expect([lockHeld(lock, 100_000), lockRenewable(lock, 100_000)]).toEqual([true, false]);
    expect(lockHeld(lock, 104_999)).toBe(true);
    expect(lockHeld(lock, 105_000)).toBe(false);
    expect(lockHeld(undefined, 0)).toBe(false);
  });
});

describe('Variables: ACL rules', () => {
  it('takes the exact path first, then the closest glob; read implies list, deny stands alone', async () => {
    const acl = compileAcl([
      await parsePolicyRules(`namespace "default" {
        variables {
          path "*" { capabilities = ["list"] }
          path "app/*" { capabilities = ["read", "write"] }
          path "app/secret" { capabilities = ["deny", "read"] }
        }
      }
      namespace "dev-*" { variables { path "*" { capabilities = ["destroy"] } } }`),
    ]);
    expect(acl.allowVariable('default', 'app/x', 'read')).toBe(true);
    expect(acl.allowVariable('default', 'app/x', 'list')).toBe(true);
    expect(acl.allowVariable('default', 'app/x', 'write')).toBe(true);
    expect(acl.allowVariable('default', 'other', 'list')).toBe(true);
    expect(acl.allowVariable('default', 'other', 'read')).toBe(false);
    expect(acl.allowVariable('default', 'app/secret', 'read')).toBe(false);
    expect(acl.allowVariable('default', 'app/secret', 'list')).toBe(false);
    expect(acl.allowVariable('dev-1', 'anything', 'destroy')).toBe(true);
    expect(acl.allowVariable('prod', 'app/x', 'read')).toBe(false);
  });

  it('gives a workload read and list on its job’s, group’s and task’s paths in its namespace only', () => {
    const acl = compileAcl([]);
    const claim = { Namespace: 'default', Job: 'web', Group: 'app', Task: 'server' };
    for (const path of ['nomad/jobs', 'nomad/jobs/web', 'nomad/jobs/web/app', 'nomad/jobs/web/app/server']) {
      expect(acl.allowVariable('default', path, 'read', claim), path).toBe(true);
      expect(acl.allowVariable('default', path, 'write', claim), path).toBe(false);
    }
    expect(acl.allowVariable('default', 'nomad/jobs/web/app/other', 'read', claim)).toBe(false);
    expect(acl.allowVariable('default', 'nomad/jobs/web/app/server/deeper', 'read', claim)).toBe(false);
    expect(acl.allowVariable('other', 'nomad/jobs/web', 'read', claim)).toBe(false);
    expect(acl.allowVariable('default', 'nomad/jobs/web', 'read')).toBe(false);
  });
});
