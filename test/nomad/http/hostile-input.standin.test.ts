import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, testNode } from '../../support/nomad';
import { aclForThisFile } from '../../support/nomad-acl';

/**
 * What a hostile or careless caller sends to the Nomad API: impossible IDs, numbers that are not
 * integers, counts no worker could place, nesting that would overflow a parser, and lists paged
 * by prefix. Each is a 4xx with Nomad's text (or ours where Nomad has no bound), never a 500, and
 * nothing it sends is stored.
 */
const { root } = aclForThisFile();
const call = (method: string, path: string, body?: unknown) => api(method, path, body, root);

beforeAll(async () => {
  await useFreshResources();
});

const job = (id: string, extra: Record<string, unknown> = {}, group: Record<string, unknown> = {}) => ({
  Job: {
    ID: id,
    Type: 'batch',
    Datacenters: ['dc1'],
    TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: 'true' } }], ...group }],
    ...extra,
  },
});

const multierror = (...errors: string[]) => `${errors.length} error${errors.length > 1 ? 's' : ''} occurred:\n\t${errors.map((error) => `* ${error}`).join('\n\t')}\n\n`;
const groupError = (error: string) => multierror(`Task group g validation failed: ${multierror(error)}`);

describe('job IDs and names', () => {
  it('refuses what Nomad refuses and what the store or the queue cannot hold', async () => {
    const cases: [string, string][] = [
      ['a\u0000b', 'Job ID contains a null character'],
      ['a b', 'Job ID contains a space'],
      ['a\ud800', 'Job ID is not valid UTF-8'],
      ['a\u0001', 'Job ID contains a control character'],
      ['a\uffff', 'Job ID contains a control character'],
      ['a'.repeat(100_000), 'Job ID is 100000 bytes long; at most 512 are allowed'],
      ['é'.repeat(257), 'Job ID is 514 bytes long; at most 512 are allowed'],
    ];
    for (const [id, error] of cases) {
      const answer = await call('POST', '/v1/jobs', job(id, { Name: 'fine' }));
      expect([answer.status, answer.text], JSON.stringify(id.slice(0, 10))).toEqual([400, multierror(error)]);
    }
    const name = await call('POST', '/v1/jobs', job('named', { Name: 'x\ud800' }));
    expect([name.status, name.text]).toEqual([400, multierror('Job Name is not valid UTF-8')]);
    const group = await call('POST', '/v1/jobs', job('grouped', {}, { Name: 'g'.repeat(600) }));
    expect(group.text).toContain('Task group name is 600 bytes long; at most 512 are allowed');
    expect((await call('GET', '/v1/jobs')).body).toEqual([]);
    const longest = await call('POST', '/v1/jobs', job('é'.repeat(256)));
    expect(longest.status).toBe(200);
    expect((await call('GET', `/v1/job/${encodeURIComponent('é'.repeat(256))}`)).body.ID).toBe('é'.repeat(256));
    expect((await call('DELETE', `/v1/job/${encodeURIComponent('é'.repeat(256))}?purge=true`)).status).toBe(200);
  });

  it('answers lookups by an ID no job can have as not found', async () => {
    const long = 'a'.repeat(3000);
    expect([(await call('GET', `/v1/job/${long}`)).status, (await call('GET', `/v1/job/${long}`)).text]).toEqual([404, 'job not found']);
    expect((await call('GET', `/v1/job/${long}/summary`)).text).toBe('job not found');
    expect((await call('GET', `/v1/job/${long}/versions`)).text).toBe('job versions not found');
    expect((await call('POST', `/v1/job/${long}/evaluate`, {})).status).toBe(404);
    expect((await call('GET', `/v1/job/x?namespace=${long}`)).text).toBe('job not found');
    expect((await call('GET', `/v1/jobs?namespace=${long}`)).body).toEqual([]);
    expect((await call('GET', `/v1/jobs?prefix=${long}`)).body).toEqual([]);
    expect((await call('GET', `/v1/namespace/${long}`)).status).toBe(404);
    for (const list of ['/v1/nodes', '/v1/namespaces', '/v1/services', `/v1/services?namespace=${long}&x=`]) {
      const answer = await call('GET', `${list}${list.includes('?') ? '&' : '?'}prefix=${long}`);
      expect([answer.status, answer.body], list).toEqual([200, []]);
    }
    const service = await call('GET', `/v1/service/${long}`);
    expect([service.status, service.body]).toEqual([200, []]);
    const register = await call('POST', `/v1/job/${long}`, job(long));
    expect([register.status, register.text]).toEqual([400, multierror('Job ID is 3000 bytes long; at most 512 are allowed', 'Job Name is 3000 bytes long; at most 512 are allowed')]);
  });

  it('refuses node IDs that would poison the keys and the evaluations queued for them, and nodes no item can hold', async () => {
    const answer = await call('PUT', '/v1/node/register', { Node: testNode(1, { ID: 'n\u0000' }) });
    expect([answer.status, answer.text]).toEqual([400, 'Node ID contains a control character']);
    const meta = await call('PUT', '/v1/node/register', { Node: testNode(2, { Meta: { a: { b: 'c' } } }) });
    expect([meta.status, meta.text]).toEqual([400, 'json: cannot unmarshal object into Go struct field Node.Node.Meta of type string']);
    const deep = await call('PUT', '/v1/node/register', { Node: testNode(3, { Extra: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) }) });
    expect([deep.status, deep.text]).toEqual([400, 'node nests deeper than 30 levels']);
    expect((await call('PUT', `/v1/node/${'n'.repeat(3000)}/eligibility`, { Eligibility: 'eligible' })).status).toBe(404);
    expect((await call('GET', '/v1/nodes')).body).toEqual([]);
  });

  it('bounds version tags by their key and Nomad’s description rule', async () => {
    expect((await call('POST', '/v1/jobs', job('tagged'))).status).toBe(200);
    const name = await call('POST', `/v1/job/tagged/versions/${'t'.repeat(3000)}/tag`, { Version: 0 });
    expect([name.status, name.text]).toEqual([400, 'Tag name is 3000 bytes long; at most 512 are allowed']);
    const description = await call('POST', '/v1/job/tagged/versions/v0/tag', { Version: 0, Description: 'd'.repeat(1001) });
    expect([description.status, description.text]).toEqual([400, 'Tagged version description must be under 1000 characters, currently 1001']);
    expect((await call('POST', '/v1/job/tagged/versions/v0/tag', { Version: 0, Description: 'd'.repeat(1000) })).status).toBe(200);
  });
});

describe('numbers', () => {
  afterEach(() => {
    delete process.env.MAX_GROUP_COUNT;
  });

  it('must be integers of the field’s type, with Go’s decoder texts', async () => {
    const count = (value: unknown) => call('POST', '/v1/jobs', job('counted', {}, { Count: value }));
    const decode = (what: string) => `json: cannot unmarshal ${what} into Go struct field TaskGroup.Job.TaskGroups.Count of type int`;
    expect((await count(1.5)).text).toBe(decode('number 1.5'));
    expect((await count(1e308)).text).toBe(decode('number 1e+308'));
    expect((await count(9007199254740993)).text).toBe(decode('number 9007199254740992'));
    expect((await count('3')).text).toBe(decode('string'));
    expect((await count(-1)).text).toBe(groupError("Task group count can't be negative"));
    const priority = await call('POST', '/v1/jobs', job('prio', { Priority: 'high' }));
    expect([priority.status, priority.text]).toEqual([400, 'json: cannot unmarshal string into Go struct field Job.Job.Priority of type int']);
    const weight = await call('POST', '/v1/jobs', job('weighted', { Affinities: [{ LTarget: '${node.class}', RTarget: 'a', Operand: '=', Weight: 500 }] }));
    expect(weight.text).toBe('json: cannot unmarshal number 500 into Go struct field Affinity.Job.Affinities.Weight of type int8');
    const id = await call('POST', '/v1/jobs', job('x', { ID: 5 }));
    expect(id.text).toBe('json: cannot unmarshal number into Go struct field Job.Job.ID of type string');
    const port = await call('POST', '/v1/jobs', job('ported', {}, { Networks: [{ ReservedPorts: [{ Label: 'http', Value: 80.5 }] }] }));
    expect(port.text).toBe('json: cannot unmarshal number 80.5 into Go struct field Port.Job.TaskGroups.Networks.ReservedPorts.Value of type int');
    const shapes: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [{ TaskGroups: 'nope' }, {}, 'string into Go struct field Job.Job.TaskGroups of type []*api.TaskGroup'],
      [{ Constraints: [5] }, {}, 'number into Go struct field Job.Job.Constraints of type api.Constraint'],
      [{ Meta: { a: 5 } }, {}, 'number into Go struct field Job.Job.Meta of type string'],
      [{}, { Update: 'x' }, 'string into Go struct field TaskGroup.Job.TaskGroups.Update of type api.UpdateStrategy'],
      [{}, { Tasks: [{ Name: 't', Driver: 'raw_exec', Resources: 'x' }] }, 'string into Go struct field Task.Job.TaskGroups.Tasks.Resources of type api.Resources'],
      [{}, { Tasks: [{ Name: 't', Driver: 'raw_exec', Env: ['x'] }] }, 'array into Go struct field Task.Job.TaskGroups.Tasks.Env of type map[string]string'],
    ];
    for (const [jobFields, groupFields, error] of shapes) {
      const answer = await call('POST', '/v1/jobs', job('shaped', jobFields, groupFields));
      expect([answer.status, answer.text]).toEqual([400, `json: cannot unmarshal ${error}`]);
    }
    // Every integer attribute is typed, not only the common ones.
    const task = (fields: Record<string, unknown>) => ({ Tasks: [{ Name: 't', Driver: 'raw_exec', ...fields }] });
    const integers: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [{}, task({ Resources: { CPU: 100, SecretsMB: 1e308 } }), 'number 1e+308 into Go struct field Resources.Job.TaskGroups.Tasks.Resources.SecretsMB of type int'],
      [{}, task({ Resources: { Devices: [{ Name: 'gpu', Count: -1 }] } }), 'number -1 into Go struct field RequestedDevice.Job.TaskGroups.Tasks.Resources.Devices.Count of type uint64'],
      [{}, task({ Templates: [{ EmbeddedTmpl: 'x', DestPath: 'local/x', Uid: 0.5 }] }), 'number 0.5 into Go struct field Template.Job.TaskGroups.Tasks.Templates.Uid of type int'],
      [{}, task({ Identities: [{ Name: 'vault', TTL: 1.5 }] }), 'number 1.5 into Go struct field WorkloadIdentity.Job.TaskGroups.Tasks.Identities.TTL of type time.Duration'],
      [{}, { Services: [{ Name: 's', Checks: [{ Type: 'http', CheckRestart: { Limit: 1e20 } }] }] }, 'number 100000000000000000000 into Go struct field CheckRestart.Job.TaskGroups.Services.Checks.CheckRestart.Limit of type int'],
      [{}, { Disconnect: { LostAfter: 2 ** 60 } }, 'number 1152921504606847000 into Go struct field DisconnectStrategy.Job.TaskGroups.Disconnect.LostAfter of type time.Duration'],
      [{ Version: -2 }, {}, 'number -2 into Go struct field Job.Job.Version of type uint64'],
      [{ SubmitTime: 1.5 }, {}, 'number 1.5 into Go struct field Job.Job.SubmitTime of type int64'],
      [{ JobModifyIndex: -1 }, {}, 'number -1 into Go struct field Job.Job.JobModifyIndex of type uint64'],
      [{ Multiregion: { Regions: [{ Name: 'r', Count: 0.5 }] } }, {}, 'number 0.5 into Go struct field MultiregionRegion.Job.Multiregion.Regions.Count of type int'],
    ];
    for (const [jobFields, groupFields, error] of integers) {
      const answer = await call('POST', '/v1/jobs', job('integers', jobFields, groupFields));
      expect([answer.status, answer.text]).toEqual([400, `json: cannot unmarshal ${error}`]);
    }
    // Free-form maps are not typed: a task's Config may hold any number.
    expect((await call('POST', '/v1/jobs', job('free', {}, { Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: 'true', ratio: 0.5 } }] }))).status).toBe(200);
  });

  it('bound a task group’s count by MAX_GROUP_COUNT, on register and on scale', async () => {
    const huge = await call('POST', '/v1/jobs', job('huge', {}, { Count: 10_000_000 }));
    expect([huge.status, huge.text]).toEqual([400, groupError("Task group count can't exceed 50000; got 10000000")]);
    process.env.MAX_GROUP_COUNT = '10';
    expect((await call('POST', '/v1/jobs', job('ten', {}, { Count: 11 }))).text).toBe(groupError("Task group count can't exceed 10; got 11"));
    expect((await call('POST', '/v1/jobs', job('ten', {}, { Count: 10 }))).status).toBe(200);
    const scaled = await call('POST', '/v1/job/ten/scale', { Count: 11, Target: { Group: 'g' } });
    expect([scaled.status, scaled.text]).toEqual([400, groupError("Task group count can't exceed 10; got 11")]);
    expect((await call('GET', '/v1/job/ten')).body.TaskGroups[0].Count).toBe(10);
  });

  it('per_page is an int32, as Nomad parses it', async () => {
    for (const perPage of ['99999999999999999999', '2147483648', 'ten', '1.5']) {
      const answer = await call('GET', `/v1/jobs?per_page=${perPage}`);
      expect([answer.status, answer.text], perPage).toEqual([400, 'Expect a number for `per_page` query string parameter']);
    }
    expect((await call('GET', '/v1/jobs?per_page=2147483647')).status).toBe(200);
    expect((await call('GET', '/v1/jobs?per_page=-1')).status).toBe(200);
  });
});

describe('nesting and size', () => {
  it('bounds filter expressions, HCL and job bodies', async () => {
    const filter = await call('GET', `/v1/jobs?filter=${encodeURIComponent('('.repeat(3000))}`);
    expect([filter.status, filter.text]).toEqual([400, 'failed to create result paginator: failed to read filter expression: expression nested deeper than 128 parentheses']);
    const nested = await call('GET', `/v1/jobs?filter=${encodeURIComponent(`${'('.repeat(100)}ID == "ten"${')'.repeat(100)}`)}`);
    expect(nested.body.map((stub: any) => stub.ID)).toEqual(['ten']);
    const quoted = await call('GET', `/v1/jobs?filter=${encodeURIComponent(`ID == "${'('.repeat(300)}"`)}`);
    expect([quoted.status, quoted.body]).toEqual([200, []]);
    const chain = await call('GET', `/v1/jobs?filter=${encodeURIComponent(Array(1500).fill('ID == "x"').join(' and '))}`);
    expect(chain.status).toBe(200);

    const hcl = await call('POST', '/v1/jobs/parse', { JobHCL: `job "a" {${' group "b" {'.repeat(3000)}` });
    expect([hcl.status, hcl.text]).toEqual([400, 'Failed to parse job: input.hcl:1,1545-1546: Nesting too deep; blocks, collections and parentheses nest at most 128 levels.']);
    const expression = await call('POST', '/v1/jobs/parse', { JobHCL: `job "a" { meta { a = "\${${'('.repeat(5000)}1${')'.repeat(5000)}}" } }` });
    expect([expression.status, expression.text]).toEqual([400, 'Failed to parse job: Job spec too complex: its expressions nest too deeply or grow too large to evaluate.']);

    const deepConfig = await call('POST', '/v1/jobs', job('deep', {}, { Tasks: [{ Name: 't', Driver: 'raw_exec', Config: JSON.parse(`${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`) }] }));
    expect([deepConfig.status, deepConfig.text]).toEqual([400, "invalid character '{' exceeded max depth"]);
    const bigMeta = await call('POST', '/v1/jobs', job('meta', { Meta: { a: 'x'.repeat(1_000_000) } }));
    expect(bigMeta.status).toBe(400);
    expect(bigMeta.text).toMatch(/^job is \d+ bytes as JSON; at most 307200 are allowed$/);
    const hugeMeta = await call('POST', '/v1/jobs', job('meta', { Meta: { a: 'x'.repeat(7_000_000) } }));
    expect([hugeMeta.status, hugeMeta.text]).toEqual([413, 'Request body too large']);
    expect((await call('GET', '/v1/job/meta')).status).toBe(404);
  });

  it('keeps a scaling event’s Meta whatever its shape, within its bound', async () => {
    const meta = JSON.parse(`${'{"b":'.repeat(60)}1${'}'.repeat(60)}`);
    expect((await call('POST', '/v1/job/ten/scale', { Target: { Group: 'g' }, Message: 'deep', Meta: meta })).status).toBe(200);
    const status = await call('GET', '/v1/job/ten/scale');
    expect(status.body.TaskGroups.g.Events[0]).toMatchObject({ Message: 'deep', Meta: meta });
    const big = await call('POST', '/v1/job/ten/scale', { Target: { Group: 'g' }, Meta: { a: 'x'.repeat(100_000) } });
    expect(big.status).toBe(400);
    expect(big.text).toMatch(/^scaling event is \d+ bytes as JSON; at most 65536 are allowed$/);
  });
});

describe('ACL policies and tokens', () => {
  it('bound policy nesting, token policies and expirations', async () => {
    const deep = await call('PUT', '/v1/acl/policy/deep', { Name: 'deep', Rules: `namespace "x" {${' a {'.repeat(3000)}` });
    expect([deep.status, deep.text]).toEqual([400, 'failed to parse rules: Failed to parse ACL Policy: rules nest deeper than 128 levels']);
    expect((await call('PUT', '/v1/acl/policy/reader', { Name: 'reader', Rules: 'namespace "*" { policy = "read" }' })).status).toBe(200);
    const many = await call('PUT', '/v1/acl/token', { Name: 'x', Type: 'client', Policies: Array(10_000).fill('r'.repeat(100)) });
    expect([many.status, many.text]).toEqual([400, 'token policies are too many']);
    const forever = await call('PUT', '/v1/acl/token', { Name: 'x', Type: 'client', Policies: ['reader'], ExpirationTTL: 1e308 });
    expect([forever.status, forever.text]).toEqual([400, 'json: cannot unmarshal number 1e+308 into Go struct field ACLToken.ExpirationTTL of type time.Duration']);
    expect((await call('PUT', '/v1/acl/token', { Name: 'x', Type: 'client', Policies: ['reader'], ExpirationTTL: '99999999h' })).status).toBe(200);
  });
});

describe('integers in other request bodies', () => {
  it('answer with Go’s decoder text, naming the request struct Nomad decodes into', async () => {
    expect((await call('POST', '/v1/jobs', job('whole'))).status).toBe(200);
    const cases: [string, Record<string, unknown>, string][] = [
      ['scale', { Count: 1.5, Target: { Group: 'g' } }, 'number 1.5 into Go struct field ScalingRequest.Count of type int64'],
      ['scale', { Count: '2', Target: { Group: 'g' } }, 'string into Go struct field ScalingRequest.Count of type int64'],
      ['scale', { count: 1e308, Target: { Group: 'g' } }, 'number 1e+308 into Go struct field ScalingRequest.Count of type int64'],
      ['scale', { Count: 2, JobModifyIndex: -1, Target: { Group: 'g' } }, 'number -1 into Go struct field ScalingRequest.JobModifyIndex of type uint64'],
      ['revert', { JobID: 'whole', JobVersion: 0.5 }, 'number 0.5 into Go struct field JobRevertRequest.JobVersion of type uint64'],
      ['revert', { JobID: 'whole', JobVersion: 0, EnforcePriorVersion: -2 }, 'number -2 into Go struct field JobRevertRequest.EnforcePriorVersion of type uint64'],
      ['stable', { JobID: 'whole', JobVersion: 1.25, Stable: true }, 'number 1.25 into Go struct field JobStabilityRequest.JobVersion of type uint64'],
      ['dispatch', { Priority: 'high' }, 'string into Go struct field JobDispatchRequest.Priority of type int'],
    ];
    for (const [action, body, error] of cases) {
      const answer = await call('POST', `/v1/job/whole/${action}`, body);
      expect([answer.status, answer.text], `${action} ${JSON.stringify(body)}`).toEqual([400, `json: cannot unmarshal ${error}`]);
    }
    const priority = await call('POST', '/v1/jobs', { ...job('whole'), EvalPriority: 50.5 });
    expect([priority.status, priority.text]).toEqual([400, 'json: cannot unmarshal number 50.5 into Go struct field JobRegisterRequest.EvalPriority of type int']);
    expect((await call('GET', '/v1/job/whole')).body.TaskGroups[0].Count).toBe(1);
    expect((await call('POST', '/v1/job/whole/scale', { Count: 2, Target: { Group: 'g' } })).status).toBe(200);
  });
});

describe('semantics that were 500s', () => {
  it('scale refuses a count with an error, as Nomad does', async () => {
    const answer = await call('POST', '/v1/job/ten/scale', { Count: 2, Error: true, Target: { Group: 'g' } });
    expect([answer.status, answer.text]).toEqual([400, 'scaling action should not contain count if error is true']);
    expect((await call('GET', '/v1/job/ten')).body.TaskGroups[0].Count).toBe(10);
  });

  it('parse answers other methods with 405', async () => {
    for (const method of ['GET', 'DELETE']) {
      const answer = await call(method, '/v1/jobs/parse');
      expect([answer.status, answer.text]).toEqual([405, 'Invalid method']);
    }
  });

  it('pages a prefixed list in the store, forwards and in reverse, across namespaces', async () => {
    expect((await call('PUT', '/v1/namespace/apps', { Description: 'apps' })).status).toBe(200);
    for (const id of ['pa1', 'pa2', 'pa3', 'pb1']) expect((await call('POST', '/v1/jobs', job(id))).status).toBe(200);
    expect((await call('POST', '/v1/jobs?namespace=apps', job('pa0'))).status).toBe(200);
    const walk = async (query: string) => {
      const pages: string[][] = [];
      let token = '';
      do {
        const page = await call('GET', `/v1/jobs?${query}&per_page=2${token ? `&next_token=${encodeURIComponent(token)}` : ''}`);
        expect(page.status, page.text).toBe(200);
        pages.push(page.body.map((stub: any) => `${stub.Namespace}.${stub.ID}`));
        token = page.headers.get('X-Nomad-NextToken') ?? '';
      } while (token && pages.length < 10);
      return pages;
    };
    expect(await walk('prefix=pa')).toEqual([['default.pa1', 'default.pa2'], ['default.pa3']]);
    expect(await walk('prefix=pa&reverse=true')).toEqual([['default.pa3', 'default.pa2'], ['default.pa1']]);
    expect(await walk('prefix=pa&namespace=*')).toEqual([['apps.pa0', 'default.pa1'], ['default.pa2', 'default.pa3']]);
    const single = await call('GET', '/v1/jobs?prefix=pa&per_page=1&next_token=default.pa2');
    expect([single.body.map((stub: any) => stub.ID), single.headers.get('X-Nomad-NextToken')]).toEqual([['pa2'], 'default.pa3']);
    // A token past the prefix's range, or longer than any ID, pages nothing.
    expect((await call('GET', '/v1/jobs?prefix=pa&per_page=1&next_token=default.pz')).body).toEqual([]);
    expect((await call('GET', `/v1/jobs?prefix=pa&per_page=1&next_token=default.${'p'.repeat(2000)}`)).body).toEqual([]);
  });
});
