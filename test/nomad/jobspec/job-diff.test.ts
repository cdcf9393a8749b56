import { describe, expect, it } from 'vitest';
import { canonicalizeJob } from '../../../shared/nomad/jobspec/canonicalize';
import { jobDiff } from '../../../shared/nomad/jobspec/diff';

const base = (overrides: Record<string, unknown> = {}, task: Record<string, unknown> = {}) =>
  canonicalizeJob({
    ID: 'web',
    Datacenters: ['dc1'],
    TaskGroups: [{ Name: 'app', Count: 1, Tasks: [{ Name: 'server', Driver: 'docker', Config: { image: 'nginx:1' }, ...task }] }],
    ...overrides,
  });

describe('job diff', () => {
  it('is None for equal jobs, whatever their state fields', () => {
    const diff = jobDiff(base(), { ...base(), Version: 3, ModifyIndex: 9, Status: 'running' });
    expect(diff).toMatchObject({ Type: 'None', ID: 'web', Fields: null, Objects: null });
    expect(diff.TaskGroups![0].Type).toBe('None');
  });

  it('reports primitive and map fields of the job', () => {
    const diff = jobDiff(base(), base({ Priority: 70, Meta: { owner: 'ops' } }));
    expect(diff.Type).toBe('Edited');
    expect(diff.Fields).toEqual([
      { Type: 'Added', Name: 'Meta[owner]', Old: '', New: 'ops', Annotations: null },
      { Type: 'Edited', Name: 'Priority', Old: '50', New: '70', Annotations: null },
    ]);
  });

  it('diffs datacenters and constraints as sets', () => {
    const diff = jobDiff(
      base({ Constraints: [{ LTarget: '${attr.kernel.name}', RTarget: 'linux', Operand: '=' }] }),
      base({ Datacenters: ['dc1', 'dc2'] }),
    );
    // Nomad appends Datacenters first, then the constraint set.
    expect(diff.Objects).toEqual([
      { Type: 'Added', Name: 'Datacenters', Objects: null, Fields: [{ Type: 'Added', Name: 'Datacenters', Old: '', New: 'dc2', Annotations: null }] },
      { Type: 'Deleted', Name: 'Constraint', Objects: null, Fields: [
        { Type: 'Deleted', Name: 'LTarget', Old: '${attr.kernel.name}', New: '', Annotations: null },
        { Type: 'Deleted', Name: 'Operand', Old: '=', New: '', Annotations: null },
        { Type: 'Deleted', Name: 'RTarget', Old: 'linux', New: '', Annotations: null },
      ] },
    ]);
  });

  it('goes down to tasks: env, config and resources', () => {
    const diff = jobDiff(base(), base({}, { Env: { foo: 'bar' }, Config: { image: 'nginx:2' }, Resources: { CPU: 200 } }));
    const task = diff.TaskGroups![0].Tasks![0];
    expect(task.Type).toBe('Edited');
    expect(task.Fields).toEqual([{ Type: 'Added', Name: 'Env[foo]', Old: '', New: 'bar', Annotations: null }]);
    expect(task.Objects!.map((object) => [object.Name, object.Type])).toEqual([
      ['Config', 'Edited'],
      ['Resources', 'Edited'],
    ]);
    expect(task.Objects![0].Fields).toEqual([{ Type: 'Edited', Name: 'image', Old: 'nginx:1', New: 'nginx:2', Annotations: null }]);
  });

  it('marks added and deleted groups and jobs', () => {
    const withDb = base();
    withDb.TaskGroups.push({ ...withDb.TaskGroups[0], Name: 'db' });
    const diff = jobDiff(base(), withDb);
    expect(diff.TaskGroups!.map((group) => [group.Name, group.Type])).toEqual([
      ['app', 'None'],
      ['db', 'Added'],
    ]);
    expect(jobDiff(undefined, base()).Type).toBe('Added');
    expect(jobDiff(base(), undefined).Type).toBe('Deleted');
    expect(() => jobDiff(base(), base({ ID: 'other' }))).toThrow('can not diff jobs with different IDs: "web" and "other"');
  });
});
