import { describe, expect, it } from 'vitest';
import { compileAcl } from '../../../shared/nomad/acl/acl';
import { parsePolicyRules } from '../../../shared/nomad/acl/policy';

describe('ACL policies', () => {
  it('expands namespace policies and keeps explicit capabilities', async () => {
    const rules = await parsePolicyRules('namespace "default" {\n  policy = "read"\n  capabilities = ["dispatch-job"]\n}\nnode {\n  policy = "write"\n}');
    const acl = compileAcl([rules]);
    expect(acl.allowNamespace('default', 'read-job')).toBe(true);
    expect(acl.allowNamespace('default', 'list-jobs')).toBe(true);
    expect(acl.allowNamespace('default', 'dispatch-job')).toBe(true);
    expect(acl.allowNamespace('default', 'submit-job')).toBe(false);
    expect(acl.allowNamespace('other', 'read-job')).toBe(false);
    expect(acl.allowNode('write')).toBe(true);
    expect(acl.allowAgent('read')).toBe(false);
  });

  it('reads the JSON form too', async () => {
    const rules = await parsePolicyRules(JSON.stringify({ namespace: { '*': { policy: 'write' } }, agent: { policy: 'read' } }));
    const acl = compileAcl([rules]);
    expect(acl.allowNamespace('anything', 'submit-job', 'register-job')).toBe(true);
    expect(acl.allowAgent('read')).toBe(true);
  });

  it('lets submit-job grant the fine-grained job capabilities', async () => {
    const acl = compileAcl([await parsePolicyRules('namespace "default" { capabilities = ["submit-job"] }')]);
    for (const capability of ['register-job', 'revert-job', 'deregister-job', 'purge-job', 'plan-job', 'tag-job-version', 'stable-job'] as const) {
      expect(acl.allowNamespace('default', capability)).toBe(true);
    }
    expect(acl.allowNamespace('default', 'read-job')).toBe(false);
  });

  it('takes the closest glob, and deny over any grant', async () => {
    const acl = compileAcl([
      await parsePolicyRules('namespace "*" { policy = "read" }\nnamespace "prod-*" { policy = "write" }'),
      await parsePolicyRules('namespace "prod-secret" { policy = "deny" }\nnode { policy = "read" }'),
      await parsePolicyRules('node { policy = "deny" }'),
    ]);
    expect(acl.allowNamespace('dev', 'submit-job')).toBe(false);
    expect(acl.allowNamespace('dev', 'read-job')).toBe(true);
    expect(acl.allowNamespace('prod-web', 'submit-job')).toBe(true);
    expect(acl.allowNamespace('prod-secret', 'read-job')).toBe(false);
    expect(acl.allowNode('read')).toBe(false);
  });

  it('rejects what Nomad rejects', async () => {
    await expect(parsePolicyRules('namespace "default" { policy = "admin" }')).rejects.toThrow(/^Invalid namespace policy/);
    await expect(parsePolicyRules('namespace "bad name" { policy = "read" }')).rejects.toThrow(/^Invalid namespace name/);
    await expect(parsePolicyRules('namespace "default" { capabilities = ["fly"] }')).rejects.toThrow("Invalid namespace capability 'fly'");
    await expect(parsePolicyRules('bogus { policy = "read" }')).rejects.toThrow('Invalid or duplicate policy keys: bogus');
    await expect(parsePolicyRules('namespace "default" {')).rejects.toThrow(/^Failed to parse ACL Policy/);
  });
});
