import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api } from '../../support/nomad';
import { aclForThisFile } from '../../support/nomad-acl';

const { root } = aclForThisFile();

beforeAll(async () => {
  await useFreshResources();
});

const JOBSPEC = `variable "image" {
  default = "redis:7"
}
job "my-job" {
  node_pool = "prod"
  group "cache" {
    task "redis" {
      driver = "docker"
      config {
        image = var.image
      }
    }
  }
}
`;

describe('POST /v1/jobs/parse', () => {
  it('parses an HCL2 jobspec with variables, raw or canonicalized', async () => {
    const raw = await api('POST', '/v1/jobs/parse', { JobHCL: JOBSPEC, Variables: 'image = "redis:8"' }, root);
    expect(raw.status).toBe(200);
    expect(raw.body).toMatchObject({ ID: 'my-job', Name: 'my-job', NodePool: 'prod', Region: null, Priority: null, Datacenters: null });
    expect(raw.body.TaskGroups[0].Tasks[0].Config).toEqual({ image: 'redis:8' });
    const canonical = await api('POST', '/v1/jobs/parse', { JobHCL: JOBSPEC, Canonicalize: true }, root);
    expect(canonical.body).toMatchObject({ ID: 'my-job', Region: 'global', Namespace: 'default', Priority: 50, Type: 'service', Status: '', Stop: false, Datacenters: null, Update: null });
    expect(canonical.body.TaskGroups[0]).toMatchObject({ Name: 'cache', Count: 1 });
    expect(canonical.body.TaskGroups[0].Tasks[0].Resources).toMatchObject({ CPU: 100, MemoryMB: 300 });
  });

  it('round-trips: a parsed job registers', async () => {
    const parsed = await api('POST', '/v1/jobs/parse', { JobHCL: JOBSPEC.replace('node_pool = "prod"', ''), Canonicalize: true }, root);
    const registered = await api('POST', '/v1/jobs', { Job: parsed.body, Submission: { Source: JOBSPEC, Format: 'hcl2' } }, root);
    expect(registered.status, registered.text).toBe(200);
    expect((await api('GET', '/v1/job/my-job/submission?version=0', undefined, root)).body.Source).toBe(JOBSPEC);
  });

  it('answers 400 with the parser position', async () => {
    const bad = await api('POST', '/v1/jobs/parse', { JobHCL: 'job "x" {\n  count = \n}' }, root);
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^Failed to parse job: input\.hcl:2,11-3,1: /);
    const empty = await api('POST', '/v1/jobs/parse', { JobHCL: '' }, root);
    expect([empty.status, empty.text]).toEqual([400, 'Job spec is empty']);
    expect((await api('POST', '/v1/jobs/parse', undefined, root)).text).toBe('Request body is empty');
  });

  it('keeps sources beyond an item in S3', async () => {
    const big = `${JOBSPEC}\n${'# padding\n'.repeat(40_000)}`;
    const job = { ID: 'big', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'raw_exec' }] }] };
    expect((await api('POST', '/v1/jobs', { Job: job, Submission: { Source: big, Format: 'hcl2' } }, root)).status).toBe(200);
    const submission = await api('GET', '/v1/job/big/submission?version=0', undefined, root);
    expect(submission.body.Source).toHaveLength(big.length);
  });
});
