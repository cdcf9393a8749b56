import * as z from '../util/zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import { BootstrapBody, PolicyBody, TokenBody } from '../nomad/http/acl-routes';
import { IdOnlyBody, PromoteBody } from '../nomad/http/deployment-routes';
import { EvaluateBody, PlanBody } from '../nomad/http/job-eval-handlers';
import { DispatchBody } from '../nomad/http/job-launch-handlers';
import { ParseBody } from '../nomad/http/job-parse-handler';
import { ScaleBody } from '../nomad/http/job-scale-handlers';
import { RegisterBody } from '../nomad/http/jobs-routes';
import { NamespaceBody } from '../nomad/http/namespace-routes';
import { DrainBody, EligibilityBody } from '../nomad/http/node-routes';
import { SearchBody } from '../nomad/http/search-routes';
import { ValidateBody } from '../nomad/http/validate-routes';
import { empty, json, jsonBody, openApiDocument, operation, text, type OpenApiDocument } from './document';
import * as shapes from './nomad-shapes';

/**
 * Nomad's HTTP API (`/v1`) as we serve it: jobs and what hangs off them, allocations,
 * evaluations, deployments, nodes, status and the agent. Errors are plain text, as Nomad's
 * (`job not found`, `Permission denied`, a decoder's message); writes take PUT or POST alike,
 * documented as POST.
 */
const NOMAD_VERSION = '1.9.0';

const namespace = z.string().optional().meta({ description: 'The namespace (`default`); `*` lists across every namespace the token may read' });
const region = z.string().optional().meta({ description: 'Must be our one region when given' });
const read = { namespace, region };
/** A flag as the handlers read it: Go's strconv.ParseBool (`1`, `t`, `true`, `0`, `f`, `false` and their capitals), a bare `?flag` true, other text a 400. */
const flag = (description: string) => z.boolean().optional().meta({ description: `${description} (Go's strconv.ParseBool: also \`1\`/\`t\`/\`0\`/\`f\`; a bare flag is true)` });
const blocking = {
  ...read,
  index: z.string().optional().meta({ description: 'Blocking query: wait until the X-Nomad-Index passes this' }),
  wait: z.string().optional().meta({ description: 'Longest wait of a blocking query (Go duration, default 5m)' }),
  stale: z.string().optional(),
};
const listing = {
  ...blocking,
  prefix: z.string().optional().meta({ description: 'ID prefix' }),
  filter: z.string().optional().meta({ description: 'A go-bexpr filter over the listed objects' }),
  per_page: z.int().min(-(2 ** 31)).max(2 ** 31 - 1).optional().meta({ description: 'Page size (an int32, else 400); zero or less: no paging. The answer\'s X-Nomad-NextToken continues' }),
  next_token: z.string().optional(),
  reverse: z.boolean().optional().meta({ description: '`true`: in reverse order' }),
};

const indexHeaders = z.object({
  'X-Nomad-Index': z.string().meta({ description: 'The index to pass as `index` for the next blocking query' }),
  'X-Nomad-KnownLeader': z.string(),
  'X-Nomad-LastContact': z.string(),
});

const ok = (description: string, schema: z.ZodType): ZodOpenApiResponseObject => json(description, schema, indexHeaders);

const errors = {
  bad: text('Bad request: the reason, as Nomad words it'),
  denied: text('`Permission denied` (ACL)'),
  missing: (what: string) => text(`\`${what} not found\``),
};

const jobPath = z.object({ job_id: z.string().meta({ description: 'The job ID (may contain `/`)' }) });
const allocPath = z.object({ alloc_id: z.string() });
const evalPath = z.object({ eval_id: z.string() });
const deploymentPath = z.object({ deployment_id: z.string() });
const nodePath = z.object({ node_id: z.string() });
const policyPath = z.object({ name: z.string() });
const tokenPath = z.object({ accessor_id: z.string() });
const varPath = z.object({ var_path: z.string().meta({ description: 'The variable path (may contain `/`)' }) });

export function nomadDocument(): OpenApiDocument {
  return openApiDocument({
    title: 'jobplane: Nomad HTTP API',
    version: NOMAD_VERSION,
    description: "Nomad's HTTP API (`/v1`) as jobplane serves it: one region, one logical server, scheduling on AWS Lambda.",
    tags: {
      Jobs: 'Registering, reading, planning and stopping jobs',
      Allocations: 'What the scheduler placed',
      Evaluations: 'Scheduling decisions',
      Deployments: 'Rolling updates and canaries',
      Nodes: 'Client nodes',
      Namespaces: 'Namespaces and the caller\'s token',
      Status: 'Cluster status and the agent',
      ACL: 'Policies, tokens and bootstrap (with ACLs enabled; else every call is `400 ACL support disabled`)',
      Variables: 'Encrypted key/value variables, with check-and-set',
      Services: 'Nomad-native service discovery',
      Client: "An allocation's files and usage, read on the node that runs it (over its agent's channel)",
      Search: 'Prefix and fuzzy search over jobs, allocations, nodes and the rest',
    },
    securitySchemes: { nomadToken: { type: 'apiKey', in: 'header', name: 'X-Nomad-Token', description: 'An ACL token secret (also `Authorization: Bearer`)' } },
    paths: {
      '/v1/jobs': {
        get: operation('Jobs', 'List jobs', {
          requestParams: { query: z.object({ ...listing, meta: flag('Adds each job\'s Meta') }) },
          responses: { '200': ok('The jobs', z.array(shapes.JobListStub)), '400': errors.bad, '403': errors.denied },
        }),
        post: operation('Jobs', 'Register a job', {
          description: 'PUT is the same.',
          requestParams: { query: z.object(read) },
          requestBody: jsonBody(RegisterBody),
          responses: { '200': json('Registered; the evaluation that places it', shapes.JobRegisterResponse), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/job/{job_id}': {
        get: operation('Jobs', 'Read a job', {
          requestParams: { path: jobPath, query: z.object(blocking) },
          responses: { '200': ok('The job', shapes.Job), '403': errors.denied, '404': errors.missing('job') },
        }),
        post: operation('Jobs', 'Register (update) a job', {
          requestParams: { path: jobPath, query: z.object(read) },
          requestBody: jsonBody(RegisterBody),
          responses: { '200': json('Registered', shapes.JobRegisterResponse), '400': errors.bad, '403': errors.denied },
        }),
        delete: operation('Jobs', 'Stop a job (`purge=true` removes it)', {
          requestParams: { path: jobPath, query: z.object({ ...read, purge: flag('Removes the job and its history'), eval_priority: z.int().min(1).max(100).optional() }) },
          responses: { '200': json('Stopped (a job that does not exist: a no-op, no evaluation)', shapes.JobDeregisterResponse), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/job/{job_id}/summary': {
        get: operation('Jobs', "A job's allocation counts by task group", {
          requestParams: { path: jobPath, query: z.object(blocking) },
          responses: { '200': ok('The summary', shapes.JobSummary), '403': errors.denied, '404': errors.missing('job') },
        }),
      },
      '/v1/job/{job_id}/plan': {
        post: operation('Jobs', 'Dry-run the scheduler for a job', {
          requestParams: { path: jobPath, query: z.object(read) },
          requestBody: jsonBody(PlanBody),
          responses: { '200': json('What registering would do', shapes.JobPlanResponse), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/job/{job_id}/evaluate': {
        post: operation('Jobs', 'Create a new evaluation for a job', {
          requestParams: { path: jobPath, query: z.object(read) },
          requestBody: jsonBody(EvaluateBody, false),
          responses: { '200': json('The evaluation', shapes.JobRegisterResponse), '400': errors.bad, '403': errors.denied, '404': errors.missing('job') },
        }),
      },
      '/v1/job/{job_id}/versions': {
        get: operation('Jobs', "A job's versions, newest first", {
          requestParams: { path: jobPath, query: z.object({ ...blocking, diffs: flag('Adds the diff of each version from the one before'), diff_version: z.string().optional(), diff_tag: z.string().optional() }) },
          responses: { '200': ok('The versions (and with `diffs=true` the diff of each from the one before)', shapes.JobVersionsResponse), '403': errors.denied, '404': errors.missing('job versions') },
        }),
      },
      '/v1/job/{job_id}/allocations': {
        get: operation('Jobs', "A job's allocations", {
          requestParams: { path: jobPath, query: z.object({ ...blocking, all: flag('Those of earlier registrations too') }) },
          responses: { '200': ok('The allocations', z.array(shapes.AllocListStub)), '403': errors.denied },
        }),
      },
      '/v1/job/{job_id}/evaluations': {
        get: operation('Jobs', "A job's evaluations", {
          requestParams: { path: jobPath, query: z.object(blocking) },
          responses: { '200': ok('The evaluations', z.array(shapes.Evaluation)), '403': errors.denied },
        }),
      },
      '/v1/job/{job_id}/deployments': {
        get: operation('Jobs', "A job's deployments", {
          requestParams: { path: jobPath, query: z.object({ ...blocking, all: flag('Those of earlier registrations too') }) },
          responses: { '200': ok('The deployments, newest first', z.array(shapes.Deployment)), '403': errors.denied },
        }),
      },
      '/v1/job/{job_id}/deployment': {
        get: operation('Jobs', "A job's latest deployment", {
          requestParams: { path: jobPath, query: z.object(blocking) },
          responses: { '200': ok('The deployment, or null', shapes.Deployment.nullable()), '403': errors.denied },
        }),
      },
      '/v1/job/{job_id}/dispatch': {
        post: operation('Jobs', 'Dispatch an instance of a parameterized job', {
          requestParams: { path: jobPath, query: z.object(read) },
          requestBody: jsonBody(DispatchBody, false),
          responses: { '200': json('The dispatched child job and its evaluation', shapes.JobDispatchResponse), '400': errors.bad, '403': errors.denied, '404': errors.missing('job') },
        }),
      },
      '/v1/job/{job_id}/scale': {
        get: operation('Jobs', "A job's scaling status", {
          requestParams: { path: jobPath, query: z.object(blocking) },
          responses: { '200': ok('Desired and placed counts by group, with scaling events', shapes.JobScaleStatusResponse), '403': errors.denied, '404': errors.missing('job') },
        }),
        post: operation('Jobs', "Scale a task group's count", {
          requestParams: { path: jobPath, query: z.object(read) },
          requestBody: jsonBody(ScaleBody),
          responses: { '200': json('The new registration', shapes.JobRegisterResponse), '400': errors.bad, '403': errors.denied, '404': errors.missing('job') },
        }),
      },
      '/v1/allocations': {
        get: operation('Allocations', 'List allocations', {
          requestParams: { query: z.object({ ...listing, resources: flag('Adds AllocatedResources'), task_states: flag('TaskStates (default true)') }) },
          responses: { '200': ok('The allocations', z.array(shapes.AllocListStub)), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/allocation/{alloc_id}': {
        get: operation('Allocations', 'Read an allocation', {
          requestParams: { path: allocPath, query: z.object(blocking) },
          responses: { '200': ok('The allocation, with its job', shapes.Allocation), '403': errors.denied, '404': errors.missing('alloc') },
        }),
      },
      '/v1/allocation/{alloc_id}/stop': {
        post: operation('Allocations', 'Stop (and reschedule) an allocation', {
          requestParams: { path: allocPath, query: z.object({ ...read, no_shutdown_delay: z.string().optional() }) },
          responses: { '200': json('The evaluation that replaces it', shapes.AllocStopResponse), '403': errors.denied, '404': errors.missing('alloc') },
        }),
      },
      '/v1/client/fs/logs/{alloc_id}': {
        get: operation('Allocations', "A task's stdout or stderr", {
          description: 'Served from the chunks the agent ships. With `follow=true` the answer streams until the task is dead and its log read to the end.',
          requestParams: {
            path: allocPath,
            query: z.object({
              task: z.string(),
              type: z.enum(['stdout', 'stderr']),
              plain: z.string().optional().meta({ description: '`true`: the bytes as they are, else JSON frames back to back' }),
              follow: z.string().optional(),
              origin: z.enum(['start', 'end']).optional(),
              offset: z.string().optional(),
            }),
          },
          responses: {
            '200': { description: 'The log', content: { 'text/plain': { schema: z.string() }, 'application/json': { schema: shapes.StreamFrame } } },
            '400': errors.bad,
            '403': errors.denied,
            '404': text('`Unknown allocation "<id>"`, no such task, or `task "<name>" not started yet. No logs available`'),
          },
        }),
      },
      '/v1/client/fs/ls/{alloc_id}': {
        get: operation('Client', 'List a directory of the allocation', {
          requestParams: { path: allocPath, query: z.object({ ...read, path: z.string().optional().meta({ description: 'Relative to the allocation directory (default `/`)' }) }) },
          responses: { '200': json('The entries', z.array(shapes.AllocFileInfo)), '400': errors.bad, '403': errors.denied, '404': text('`Unknown allocation "<id>"`, or no such path') },
        }),
      },
      '/v1/client/fs/stat/{alloc_id}': {
        get: operation('Client', 'Stat a file of the allocation', {
          requestParams: { path: allocPath, query: z.object({ ...read, path: z.string() }) },
          responses: { '200': json('The file', shapes.AllocFileInfo), '400': errors.bad, '403': errors.denied, '404': text('`Unknown allocation "<id>"`, or no such path') },
        }),
      },
      '/v1/client/fs/cat/{alloc_id}': {
        get: operation('Client', 'Read a file of the allocation', {
          requestParams: { path: allocPath, query: z.object({ ...read, path: z.string() }) },
          responses: {
            '200': { description: 'The bytes: text/plain, or application/octet-stream when they are not text (never HTML)', content: { 'text/plain': { schema: z.string() }, 'application/octet-stream': { schema: z.string() } } },
            '400': errors.bad,
            '403': errors.denied,
            '404': text('`Unknown allocation "<id>"`, or no such path'),
          },
        }),
      },
      '/v1/client/allocation/{alloc_id}/stats': {
        get: operation('Client', "An allocation's resource usage, by task", {
          requestParams: { path: allocPath, query: z.object({ ...read, task: z.string().optional().meta({ description: 'Only this task' }) }) },
          responses: { '200': json('The usage', shapes.AllocResourceUsage), '403': errors.denied, '404': text('`Unknown allocation "<id>"`') },
        }),
      },
      '/v1/evaluations': {
        get: operation('Evaluations', 'List evaluations', {
          requestParams: { query: z.object({ ...listing, job: z.string().optional(), status: z.string().optional() }) },
          responses: { '200': ok('The evaluations', z.array(shapes.Evaluation)), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/evaluation/{eval_id}': {
        get: operation('Evaluations', 'Read an evaluation', {
          requestParams: { path: evalPath, query: z.object({ ...blocking, related: z.boolean().optional().meta({ description: '`true` adds RelatedEvals' }) }) },
          responses: { '200': ok('The evaluation', shapes.Evaluation), '403': errors.denied, '404': errors.missing('eval') },
        }),
      },
      '/v1/evaluation/{eval_id}/allocations': {
        get: operation('Evaluations', 'The allocations an evaluation placed', {
          requestParams: { path: evalPath, query: z.object(blocking) },
          responses: { '200': ok('The allocations', z.array(shapes.AllocListStub)), '403': errors.denied },
        }),
      },
      '/v1/deployments': {
        get: operation('Deployments', 'List deployments', {
          requestParams: { query: z.object(listing) },
          responses: { '200': ok('The deployments', z.array(shapes.Deployment)), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/deployment/{deployment_id}': {
        get: operation('Deployments', 'Read a deployment', {
          requestParams: { path: deploymentPath, query: z.object(blocking) },
          responses: { '200': ok('The deployment', shapes.Deployment), '403': errors.denied, '404': errors.missing('deployment') },
        }),
      },
      '/v1/deployment/allocations/{deployment_id}': {
        get: operation('Deployments', "A deployment's allocations", {
          requestParams: { path: deploymentPath, query: z.object(blocking) },
          responses: { '200': ok('The allocations', z.array(shapes.AllocListStub)), '403': errors.denied, '404': errors.missing('deployment') },
        }),
      },
      '/v1/deployment/promote/{deployment_id}': {
        post: operation('Deployments', 'Promote canaries', {
          requestParams: { path: deploymentPath, query: z.object(read) },
          requestBody: jsonBody(PromoteBody, false),
          responses: { '200': json('Promoted', shapes.DeploymentUpdateResponse), '400': errors.bad, '403': errors.denied, '404': errors.missing('deployment') },
        }),
      },
      '/v1/deployment/fail/{deployment_id}': {
        post: operation('Deployments', 'Mark a deployment failed (rolling back with auto_revert)', {
          requestParams: { path: deploymentPath, query: z.object(read) },
          requestBody: jsonBody(IdOnlyBody, false),
          responses: { '200': json('Failed', shapes.DeploymentUpdateResponse), '400': errors.bad, '403': errors.denied, '404': errors.missing('deployment') },
        }),
      },
      '/v1/nodes': {
        get: operation('Nodes', 'List client nodes', {
          requestParams: { query: z.object({ ...listing, resources: flag('Adds NodeResources and ReservedResources'), os: flag('Adds the `os.name` attribute') }) },
          responses: { '200': ok('The nodes', z.array(shapes.NodeListStub)), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/node/{node_id}': {
        get: operation('Nodes', 'Read a node', {
          requestParams: { path: nodePath, query: z.object(blocking) },
          responses: { '200': ok('The node', shapes.Node), '403': errors.denied, '404': errors.missing('node') },
        }),
      },
      '/v1/node/{node_id}/allocations': {
        get: operation('Nodes', "A node's allocations", {
          requestParams: { path: nodePath, query: z.object(blocking) },
          responses: { '200': ok('The allocations on the node', z.array(shapes.Allocation)), '403': errors.denied },
        }),
      },
      '/v1/node/{node_id}/drain': {
        post: operation('Nodes', 'Drain a node (or stop draining it)', {
          requestParams: { path: nodePath },
          requestBody: jsonBody(DrainBody),
          responses: { '200': json('The update', shapes.NodeUpdateResponse), '400': errors.bad, '403': errors.denied, '404': errors.missing('node') },
        }),
      },
      '/v1/node/{node_id}/eligibility': {
        post: operation('Nodes', "Toggle a node's scheduling eligibility", {
          requestParams: { path: nodePath },
          requestBody: jsonBody(EligibilityBody),
          responses: { '200': json('The update', shapes.NodeUpdateResponse), '400': errors.bad, '403': errors.denied, '404': errors.missing('node') },
        }),
      },
      '/v1/validate/job': {
        post: operation('Jobs', 'Validate a job without registering it', {
          requestBody: jsonBody(ValidateBody),
          responses: { '200': json('The problems found (a job that does not validate is still a 200)', shapes.JobValidateResponse), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/namespaces': {
        get: operation('Namespaces', 'List the namespaces the token may use', {
          requestParams: { query: z.object({ ...blocking, prefix: z.string().optional() }) },
          responses: { '200': ok('The namespaces', z.array(shapes.Namespace)) },
        }),
      },
      '/v1/namespace/{name}': {
        get: operation('Namespaces', 'Read a namespace', {
          requestParams: { path: z.object({ name: z.string() }), query: z.object(blocking) },
          responses: { '200': ok('The namespace', shapes.Namespace), '403': errors.denied, '404': text('`Namespace not found`') },
        }),
        post: operation('Namespaces', 'Create or update a namespace (a management token)', {
          requestParams: { path: z.object({ name: z.string() }) },
          requestBody: jsonBody(NamespaceBody),
          responses: { '200': { description: 'Written (no body); X-Nomad-Index' }, '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/acl/token/self': {
        get: operation('Namespaces', 'The token the request carries', {
          responses: { '200': json('The token, with its secret', shapes.ACLToken), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/acl/policies': {
        get: operation('ACL', 'List the policies the token may read (all, for a management token)', {
          requestParams: { query: z.object({ ...blocking, prefix: z.string().optional() }) },
          responses: { '200': ok('The policies', z.array(shapes.ACLPolicyListStub)), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/acl/policy/{name}': {
        get: operation('ACL', 'Read a policy (a management token, or one holding it)', {
          requestParams: { path: policyPath, query: z.object(blocking) },
          responses: { '200': ok('The policy', shapes.ACLPolicy), '400': errors.bad, '403': errors.denied, '404': errors.missing('ACL policy') },
        }),
        post: operation('ACL', 'Create or update a policy (a management token)', {
          description: 'PUT is the same. `Name` must match the path.',
          requestParams: { path: policyPath },
          requestBody: jsonBody(PolicyBody),
          responses: { '200': empty('Written (no body); X-Nomad-Index'), '400': errors.bad, '403': errors.denied },
        }),
        delete: operation('ACL', 'Delete a policy (a management token)', {
          requestParams: { path: policyPath },
          responses: { '200': empty('Deleted (no body); X-Nomad-Index'), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/acl/tokens': {
        get: operation('ACL', 'List tokens (a management token)', {
          requestParams: { query: z.object(blocking) },
          responses: { '200': ok('The tokens, without their secrets', z.array(shapes.ACLTokenListStub)), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/acl/token': {
        post: operation('ACL', 'Create a token (or update the one `AccessorID` names)', {
          description: 'PUT is the same. Only a new token\'s answer carries its `SecretID`.',
          requestBody: jsonBody(TokenBody),
          responses: { '200': json('The token', shapes.ACLToken), '400': errors.bad, '403': errors.denied, '404': errors.missing('ACL token') },
        }),
      },
      '/v1/acl/token/{accessor_id}': {
        get: operation('ACL', 'Read a token (a management token, or the token itself)', {
          requestParams: { path: tokenPath, query: z.object(blocking) },
          responses: { '200': ok('The token (`SecretID` empty: only its hash is kept)', shapes.ACLToken), '400': errors.bad, '403': errors.denied, '404': errors.missing('ACL token') },
        }),
        post: operation('ACL', 'Update a token (a management token)', {
          requestParams: { path: tokenPath },
          requestBody: jsonBody(TokenBody),
          responses: { '200': json('The token', shapes.ACLToken), '400': errors.bad, '403': errors.denied, '404': errors.missing('ACL token') },
        }),
        delete: operation('ACL', 'Revoke a token (a management token)', {
          requestParams: { path: tokenPath },
          responses: { '200': empty('Revoked (no body)'), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/acl/bootstrap': {
        post: operation('ACL', 'Create the first management token, once', {
          description: 'Refused once done, and always when the deployment configures its bootstrap token.',
          requestBody: jsonBody(BootstrapBody, false),
          responses: { '200': json('The management token, with its secret', shapes.ACLToken), '400': text('`ACL bootstrap already done (reset index: 0)`, or ACLs disabled') },
        }),
      },
      '/v1/vars': {
        get: operation('Variables', 'List the variables the token may read (metadata, no items)', {
          requestParams: { query: z.object(listing) },
          responses: { '200': ok('The variables', z.array(shapes.VariableMetadata)), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/var/{var_path}': {
        get: operation('Variables', 'Read a variable', {
          requestParams: { path: varPath, query: z.object(blocking) },
          responses: { '200': ok('The variable with its items', shapes.Variable), '403': errors.denied, '404': errors.missing('variable') },
        }),
        post: operation('Variables', 'Write a variable (with `cas`, only if it is still at that index; 0: only if new)', {
          description: 'PUT is the same. `lock-acquire`, `lock-renew` and `lock-release` (flags, without `cas`) work the lock instead.',
          requestParams: {
            path: varPath,
            query: z.object({
              ...read,
              cas: z.string().regex(/^\d+$/).optional().meta({ description: 'The ModifyIndex the variable must still have' }),
              'lock-acquire': z.string().optional(),
              'lock-renew': z.string().optional(),
              'lock-release': z.string().optional(),
            }),
          },
          requestBody: jsonBody(shapes.VariableRequest),
          responses: {
            '200': json('Written: the variable (null after a lock release)', shapes.Variable.nullable()),
            '400': errors.bad,
            '403': errors.denied,
            '409': json('The check-and-set failed: the variable as it is (its items only if the token may read them)', shapes.Variable),
          },
        }),
        delete: operation('Variables', 'Delete a variable (with `cas`, only if it is still at that index)', {
          requestParams: { path: varPath, query: z.object({ ...read, cas: z.string().regex(/^\d+$/).optional() }) },
          responses: { '204': empty('Deleted'), '400': errors.bad, '403': errors.denied, '409': json('The check-and-set failed: the variable as it is', shapes.Variable) },
        }),
      },
      '/v1/services': {
        get: operation('Services', 'The services registered in a namespace, with their tags', {
          requestParams: { query: z.object(blocking) },
          responses: { '200': ok('One entry for the namespace (none when it has no services)', z.array(shapes.ServiceRegistrationListStub)), '403': errors.denied },
        }),
      },
      '/v1/service/{service_name}': {
        get: operation('Services', "A service's registrations", {
          requestParams: { path: z.object({ service_name: z.string() }), query: z.object(blocking) },
          responses: { '200': ok('The registrations (empty for an unknown service)', z.array(shapes.ServiceRegistration)), '403': errors.denied },
        }),
      },
      '/v1/search': {
        post: operation('Search', 'IDs starting with a prefix, by context', {
          description: 'PUT is the same. The namespace is the query\'s, else the body\'s, else `default`.',
          requestParams: { query: z.object(read) },
          requestBody: jsonBody(SearchBody),
          responses: { '200': json('The matches (at most 20 per context) and whether each was cut short', shapes.SearchResponse), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/search/fuzzy': {
        post: operation('Search', 'Objects whose names contain a text, by context', {
          requestParams: { query: z.object(read) },
          requestBody: jsonBody(SearchBody),
          responses: { '200': json('The matches with their scope (namespace, job, group)', shapes.FuzzySearchResponse), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/jobs/parse': {
        post: operation('Jobs', 'Parse an HCL jobspec into its JSON job', {
          description: 'PUT is the same.',
          requestParams: { query: z.object(read) },
          requestBody: jsonBody(ParseBody),
          responses: { '200': json('The job (with `Canonicalize`, every default filled in)', shapes.ParsedJob), '400': errors.bad, '403': errors.denied },
        }),
      },
      '/v1/agent/health': {
        get: operation('Status', "The agent's health", {
          requestParams: { query: z.object({ type: z.enum(['server', 'client']).optional() }) },
          responses: {
            '200': json('Every side asked about is ok', shapes.AgentHealthResponse),
            '500': text('The same JSON, as text/plain, when a side is not ok (a client: we run no client in the server)'),
          },
        }),
      },
      '/v1/metrics': {
        get: operation('Status', "The server's gauges", {
          requestParams: { query: z.object({ format: z.enum(['prometheus']).optional() }) },
          responses: {
            '200': {
              description: "go-metrics' summary, or with `format=prometheus` the text exposition",
              content: { 'application/json': { schema: shapes.MetricsSummary }, 'text/plain': { schema: z.string() } },
            },
          },
        }),
      },
      '/v1/status/leader': {
        get: operation('Status', "The leader's RPC address", { responses: { '200': json('`host:port`', z.string()) } }),
      },
      '/v1/status/peers': {
        get: operation('Status', "The servers' RPC addresses", { responses: { '200': json('The one logical server', z.array(z.string())) } }),
      },
      '/v1/regions': {
        get: operation('Status', 'The regions', { responses: { '200': json('Our one region', z.array(z.string())) } }),
      },
      '/v1/agent/self': {
        get: operation('Status', 'The agent: its configuration, member entry and stats', { responses: { '200': json('The agent', shapes.AgentSelf), '403': errors.denied } }),
      },
    },
  });
}
