import { describe, expect, it } from 'vitest';
import { newEval } from '../../../shared/nomad/services/new-eval';
import { canonicalizeJob } from '../../../shared/nomad/jobspec/canonicalize';
import { aclPolicyListStub } from '../../../shared/nomad/wire/acl-policy';
import { deploymentUpdateResponse } from '../../../shared/nomad/wire/deployment-update-response';
import { evalCountResponse } from '../../../shared/nomad/wire/eval-count-response';
import { jobDeregisterResponse } from '../../../shared/nomad/wire/job-deregister-response';
import { jobDispatchResponse } from '../../../shared/nomad/wire/job-dispatch-response';
import { jobPlanResponse } from '../../../shared/nomad/wire/job-plan-response';
import { jobRegisterResponse } from '../../../shared/nomad/wire/job-register-response';
import { jobScaleStatus } from '../../../shared/nomad/wire/job-scale-status';
import { jobTagResponse } from '../../../shared/nomad/wire/job-tag-response';
import { jobValidateResponse } from '../../../shared/nomad/wire/job-validate-response';
import { namespaceWire } from '../../../shared/nomad/wire/namespace';
import { nodeDrainUpdateResponse } from '../../../shared/nomad/wire/node-drain-update-response';
import { nodeHeartbeatResponse, nodeRegisterResponse } from '../../../shared/nomad/wire/node-update-response';
import { periodicForceResponse } from '../../../shared/nomad/wire/periodic-force-response';
import { searchResponse } from '../../../shared/nomad/wire/search-response';
import { serviceRegistrationListStubs } from '../../../shared/nomad/wire/service-registration-list-stub';
import { variableWire } from '../../../shared/nomad/wire/variable';

/** The response shapes of wire/: Nomad's field names (nomad/structs), from the domain values the services return. */
const evaluation = newEval({ namespace: 'default', jobId: 'web', type: 'service', priority: 50, triggeredBy: 'job-register', jobModifyIndex: 7, index: 9, now: 0 });

describe('job write responses', () => {
  it('answer a register, revert, scale and evaluate as JobRegisterResponse, QueryMeta and all', () => {
    const body = jobRegisterResponse({ evaluation, jobModifyIndex: 7, warnings: ['old field'], index: 9 });
    expect(body).toEqual({
      EvalID: evaluation.ID,
      EvalCreateIndex: 9,
      JobModifyIndex: 7,
      Warnings: '1 warning:\n\n* old field',
      Index: 9,
      LastContact: 0,
      KnownLeader: false,
      NextToken: '',
    });
  });

  it('answer a scale that only records an event with an empty evaluation and no warnings', () => {
    // A scale used to leave NextToken out; Nomad's Job.Scale answers the whole JobRegisterResponse.
    expect(jobRegisterResponse({ jobModifyIndex: 3, index: 4 })).toEqual({
      EvalID: '',
      EvalCreateIndex: 0,
      JobModifyIndex: 3,
      Warnings: '',
      Index: 4,
      LastContact: 0,
      KnownLeader: false,
      NextToken: '',
    });
  });

  it('answer a deregister of nothing with every field zero', () => {
    expect(jobDeregisterResponse({ jobModifyIndex: 0, index: 0 })).toEqual({
      EvalID: '',
      EvalCreateIndex: 0,
      JobModifyIndex: 0,
      VolumeEvalID: '',
      VolumeEvalIndex: 0,
      Index: 0,
      LastContact: 0,
      KnownLeader: false,
      NextToken: '',
    });
  });

  it('answer a dispatch and a periodic force with the child and its evaluation', () => {
    expect(jobDispatchResponse({ childId: 'tpl/dispatch-1-ab', jobCreateIndex: 9, evaluation, index: 9 })).toEqual({
      Index: 9,
      JobCreateIndex: 9,
      EvalCreateIndex: 9,
      EvalID: evaluation.ID,
      DispatchedJobID: 'tpl/dispatch-1-ab',
    });
    expect(periodicForceResponse({ evaluation, jobModifyIndex: 9, index: 9 })).toEqual({ EvalCreateIndex: 9, EvalID: evaluation.ID, Index: 9 });
  });

  it('answer a tag with the tag, and an untag with a zero one', () => {
    const tag = { Name: 'v1', Description: 'first', TaggedTime: 5 };
    expect(jobTagResponse({ tag, index: 2 })).toEqual({ ...tag, Index: 2, LastContact: 0, KnownLeader: false, NextToken: '' });
    expect(jobTagResponse({ tag: null, index: 3 })).toMatchObject({ Name: '', Description: '', TaggedTime: 0, Index: 3 });
  });
});

describe('job read responses', () => {
  it('render a scale status per group, with the job’s ModifyIndex as JobModifyIndex', () => {
    const job = canonicalizeJob({ ID: 'web', TaskGroups: [{ Name: 'app', Count: 2, Tasks: [{ Name: 't', Driver: 'raw_exec' }] }] });
    job.CreateIndex = 3;
    job.ModifyIndex = 8;
    job.JobModifyIndex = 5;
    const groups = new Map([['app', { desired: 2, placed: 1, running: 1, healthy: 0, unhealthy: 1, events: null }]]);
    expect(jobScaleStatus(job, groups)).toEqual({
      JobCreateIndex: 3,
      JobID: 'web',
      Namespace: 'default',
      JobModifyIndex: 8,
      JobStopped: false,
      TaskGroups: { app: { Desired: 2, Placed: 1, Running: 1, Healthy: 0, Unhealthy: 1, Events: null } },
    });
  });

  it('render a plan with Go’s zero time and nulls for what it did not find', () => {
    const body = jobPlanResponse({ index: 4, warnings: [], createdEvals: [], failedTGAllocs: {}, desiredTGUpdates: {} });
    expect(body).toEqual({
      Index: 4,
      JobModifyIndex: 4,
      NextPeriodicLaunch: '0001-01-01T00:00:00Z',
      Warnings: '',
      CreatedEvals: null,
      FailedTGAllocs: null,
      Annotations: { DesiredTGUpdates: {}, PreemptedAllocs: null },
    });
  });

  it('render validation problems as JobValidateResponse', () => {
    expect(jobValidateResponse({ errors: [], warnings: [] })).toEqual({ DriverConfigValidated: true, ValidationErrors: null, Error: '', Warnings: '' });
    expect(jobValidateResponse({ errors: ['bad'], warnings: [] })).toMatchObject({ ValidationErrors: ['bad'], Error: '1 error occurred:\n\t* bad\n\n' });
  });
});

describe('cluster responses', () => {
  it('render node updates with Go durations and the api package’s WriteMeta', () => {
    const node = { ID: 'n1' } as Parameters<typeof nodeRegisterResponse>[0]['node'];
    expect(nodeRegisterResponse({ node, evals: [evaluation], heartbeatTtlMs: 30_000, index: 9 })).toEqual({
      Index: 9,
      HeartbeatTTL: 30_000_000_000,
      NodeID: 'n1',
      EvalIDs: [evaluation.ID],
      EvalCreateIndex: 9,
      NodeModifyIndex: 9,
    });
    expect(nodeHeartbeatResponse({ heartbeatTtlMs: 1_000, index: 2, evalIds: [] })).toEqual({ HeartbeatTTL: 1_000_000_000, Index: 2, EvalIDs: [] });
    expect(nodeDrainUpdateResponse({ evalIds: ['e'], evalCreateIndex: 4, nodeModifyIndex: 4, index: 4 })).toEqual({
      EvalIDs: ['e'],
      EvalCreateIndex: 4,
      NodeModifyIndex: 4,
      Index: 4,
      LastIndex: 4,
      RequestTime: 0,
    });
  });

  it('render a deployment update, RevertedJobVersion null unless the job was rolled back', () => {
    expect(deploymentUpdateResponse({ index: 6 })).toEqual({ EvalID: '', EvalCreateIndex: 0, DeploymentModifyIndex: 6, RevertedJobVersion: null, Index: 6 });
    expect(deploymentUpdateResponse({ evaluation, revertedJobVersion: 1, index: 9 })).toMatchObject({ EvalID: evaluation.ID, EvalCreateIndex: 9, RevertedJobVersion: 1 });
  });

  it('render searches with their contexts sorted, as Go marshals maps, and read QueryMeta', () => {
    const body = searchResponse({ matches: { nodes: null, jobs: ['web'] }, truncations: { nodes: false, jobs: false }, index: 5 });
    expect(JSON.stringify(body)).toBe('{"Matches":{"jobs":["web"],"nodes":null},"Truncations":{"jobs":false,"nodes":false},"Index":5,"LastContact":0,"KnownLeader":true,"NextToken":""}');
    expect(evalCountResponse(3, 5)).toEqual({ Count: 3, Index: 5, LastContact: 0, KnownLeader: true, NextToken: '' });
  });

  it('render an ACL policy list entry without its rules', () => {
    const policy = { Name: 'ops', Description: 'd', Rules: 'namespace "*" {}', JobACL: null, CreateIndex: 1, ModifyIndex: 2 };
    expect(aclPolicyListStub(policy as Parameters<typeof aclPolicyListStub>[0])).toEqual({ Name: 'ops', Description: 'd', CreateIndex: 1, ModifyIndex: 2 });
  });

  it('render a namespace with Nomad’s fields only, whatever else its record carries', () => {
    const stored = { Name: 'apps', Description: '', Quota: '', Capabilities: null, NodePoolConfiguration: null, Meta: null, CreateIndex: 2, ModifyIndex: 3, Extra: 'x' };
    expect(Object.keys(namespaceWire(stored))).toEqual(['Name', 'Description', 'Quota', 'Capabilities', 'NodePoolConfiguration', 'Meta', 'CreateIndex', 'ModifyIndex']);
  });

  it('render services by name with their tags merged and sorted, and nothing for a namespace without any', () => {
    const registration = { ID: 'a', ServiceName: 'web', Namespace: 'default', NodeID: 'n', Datacenter: 'dc1', JobID: 'j', AllocID: 'x', Address: '', Port: 1, CreateIndex: 1, ModifyIndex: 1 };
    const stubs = serviceRegistrationListStubs('default', [
      { ...registration, Tags: ['b'] },
      { ...registration, ID: 'b', Tags: ['a', 'b'] },
    ]);
    expect(stubs).toEqual([{ Namespace: 'default', Services: [{ ServiceName: 'web', Tags: ['a', 'b'] }] }]);
    expect(serviceRegistrationListStubs('default', [])).toEqual([]);
  });

  it('render a variable in Go’s field order, the lock as Go durations, empty items left out', () => {
    const meta = { Namespace: 'default', Path: 'p', CreateIndex: 1, CreateTime: 2, ModifyIndex: 3, ModifyTime: 4 };
    expect(JSON.stringify(variableWire({ ...meta, Lock: { ID: 'l', TTLMs: 15_000, LockDelayMs: 0 }, Items: {} }))).toBe(
      '{"Namespace":"default","Path":"p","Lock":{"TTL":"15s","LockDelay":"","ID":"l"},"CreateIndex":1,"CreateTime":2,"ModifyIndex":3,"ModifyTime":4}',
    );
    expect(variableWire({ ...meta, Items: { k: 'v' } })).toMatchObject({ Items: { k: 'v' } });
  });
});
