import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { queryAll } from '../../storage/query-all';
import { transact, TransactionConflict, unlessConditionFails } from '../../storage/transact';
import type { AccessLevel, ProjectRecord } from '../records';
import { nextId } from './counters';
import { recordOf } from './item';
import { memberKey, pad, projectKey, projectPathKey, projectPk, PROJECTS_BEING_DELETED, PROJECTS_INDEX } from './keys';
import { buildUpdate } from './update-expression';

/** Projects, their unique full paths and their members. */
export class ProjectPathTaken extends Error {}

export interface MemberRecord {
  projectId: number;
  userId: number;
  accessLevel: AccessLevel;
  createdAt: number;
}

/** Every project is listed in GSI1 (`GET /projects`), by id. */
const projectListed = (id: number) => ({ GSI1PK: PROJECTS_INDEX, GSI1SK: pad(id) });

export function fullPath(project: Pick<ProjectRecord, 'namespacePath' | 'path'>): string {
  return `${project.namespacePath}/${project.path}`;
}

export async function createProject(fields: Omit<ProjectRecord, 'id' | 'createdAt' | 'updatedAt'>): Promise<ProjectRecord> {
  const now = Date.now();
  const project: ProjectRecord = { ...fields, id: await nextId('project'), createdAt: now, updatedAt: now };
  const table = config().tableName;
  const owner: MemberRecord = { projectId: project.id, userId: project.creatorId, accessLevel: 50, createdAt: now };
  try {
    await transact([
      { Put: { TableName: table, Item: { ...projectKey(project.id), ...projectListed(project.id), ...project, pipelineIid: 0 }, ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: table, Item: { ...projectPathKey(fullPath(project)), projectId: project.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: table, Item: { ...memberKey(project.id, owner.userId), ...owner } } },
    ]);
  } catch (error) {
    if (error instanceof TransactionConflict && error.failedConditions.includes(1)) throw new ProjectPathTaken();
    throw error;
  }
  return project;
}

export async function getProject(id: number): Promise<ProjectRecord | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: projectKey(id) }));
  return result.Item ? recordOf<ProjectRecord>(result.Item) : undefined;
}

/** Projects by id, in one BatchGet. */
export async function getProjects(ids: Iterable<number>): Promise<Map<number, ProjectRecord>> {
  const items = await batchGet([...new Set(ids)].map(projectKey));
  return new Map(items.map((item) => [Number(item.id), recordOf<ProjectRecord>(item)]));
}

/** A full path is a namespace and a project path of at most 255 characters each. */
const MAX_FULL_PATH = 511;

export async function getProjectByPath(path: string): Promise<ProjectRecord | undefined> {
  // Longer cannot exist (and may not fit in a key).
  if (path.length > MAX_FULL_PATH) return undefined;
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: projectPathKey(path) }));
  return result.Item ? getProject(Number(result.Item.projectId)) : undefined;
}

/** The first branch written becomes the default branch. */
export async function setDefaultBranchIfUnset(projectId: number, branch: string): Promise<void> {
  await unlessConditionFails(
    dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: projectKey(projectId),
        UpdateExpression: 'SET defaultBranch = :branch',
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(defaultBranch) OR attribute_type(defaultBranch, :null))',
        ExpressionAttributeValues: { ':branch': branch, ':null': 'NULL' },
      }),
    ),
  );
}

/** The next pipeline iid of a project (per-project numbering, as GitLab's `iid`). */
export async function nextPipelineIid(projectId: number): Promise<number> {
  const result = await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: projectKey(projectId),
      UpdateExpression: 'ADD pipelineIid :one',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(result.Attributes!.pipelineIid);
}

export async function getMember(projectId: number, userId: number): Promise<MemberRecord | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: memberKey(projectId, userId) }));
  return result.Item ? recordOf<MemberRecord>(result.Item) : undefined;
}

/** Adds a member (`mustBeNew`) or changes one; false when it already was, or was not, a member. */
export async function putMember(member: MemberRecord, options: { mustBeNew: boolean }): Promise<boolean> {
  const written = await unlessConditionFails(
    dynamo().send(
      new PutCommand({
        TableName: config().tableName,
        Item: { ...memberKey(member.projectId, member.userId), ...member },
        ConditionExpression: options.mustBeNew ? 'attribute_not_exists(PK)' : 'attribute_exists(PK)',
      }),
    ),
  );
  return written !== undefined;
}

export async function listMembers(projectId: number): Promise<MemberRecord[]> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :member)',
    ExpressionAttributeValues: { ':pk': projectPk(projectId), ':member': 'MEMBER#' },
  });
  return items.map((item) => recordOf<MemberRecord>(item));
}

export async function updateProject(id: number, changes: Partial<ProjectRecord>): Promise<void> {
  const parts = buildUpdate({ ...changes, updatedAt: Date.now() });
  // A project written before the list existed joins it now (one being deleted keeps its mark).
  const listed = projectListed(id);
  await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: projectKey(id),
      UpdateExpression: `${parts.UpdateExpression}, #listPk = if_not_exists(#listPk, :listPk), #listSk = if_not_exists(#listSk, :listSk)`,
      ExpressionAttributeNames: { ...parts.ExpressionAttributeNames, '#listPk': 'GSI1PK', '#listSk': 'GSI1SK' },
      ExpressionAttributeValues: { ...parts.ExpressionAttributeValues, ':listPk': listed.GSI1PK, ':listSk': listed.GSI1SK },
      ConditionExpression: 'attribute_exists(PK)',
    }),
  );
}

/** Every project, oldest first (the whole list: `GET /projects` filters and orders it as GitLab does). */
export async function listAllProjects(): Promise<ProjectRecord[]> {
  const items = await queryAll({ TableName: config().tableName, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': PROJECTS_INDEX } });
  return items.map((item) => recordOf<ProjectRecord>(item));
}

/** One user's memberships in the given projects (project id → member), in one BatchGet. */
export async function membershipsOf(userId: number, projectIds: Iterable<number>): Promise<Map<number, MemberRecord>> {
  const items = await batchGet([...new Set(projectIds)].map((projectId) => memberKey(projectId, userId)));
  return new Map(items.map((item) => [Number(item.projectId), recordOf<MemberRecord>(item)]));
}

/** Changes a project's path together with the unique full path it holds; false when the new one is taken. */
export async function moveProjectPath(project: ProjectRecord, path: string): Promise<boolean> {
  const table = config().tableName;
  try {
    await transact([
      { Put: { TableName: table, Item: { ...projectPathKey(fullPath({ ...project, path })), projectId: project.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
      { Delete: { TableName: table, Key: projectPathKey(fullPath(project)) } },
      { Update: { TableName: table, Key: projectKey(project.id), ...buildUpdate({ path, updatedAt: Date.now() }), ConditionExpression: 'attribute_exists(PK)' } },
    ]);
  } catch (error) {
    if (error instanceof TransactionConflict && error.failedConditions.includes(0)) return false;
    throw error;
  }
  return true;
}

/**
 * The first step of deleting a project: its full path is freed and it leaves the list, so it is
 * gone for every reader; the project item itself goes last (`deleteProjectPartition`), so a
 * deletion cut short is found again (`listProjectsBeingDeleted`) and finished by the periodic duties.
 */
export async function unlistProject(project: ProjectRecord): Promise<void> {
  const table = config().tableName;
  await transact([
    { Delete: { TableName: table, Key: projectPathKey(fullPath(project)) } },
    { Update: { TableName: table, Key: projectKey(project.id), ...buildUpdate({ pendingDelete: true, GSI1PK: PROJECTS_BEING_DELETED, GSI1SK: pad(project.id) }), ConditionExpression: 'attribute_exists(PK)' } },
  ]);
}

export async function listProjectsBeingDeleted(limit = 10): Promise<ProjectRecord[]> {
  const result = await dynamo().send(
    new QueryCommand({ TableName: config().tableName, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': PROJECTS_BEING_DELETED }, Limit: limit }),
  );
  return (result.Items ?? []).map((item) => recordOf<ProjectRecord>(item));
}
