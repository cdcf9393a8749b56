import { gunzipSync } from 'node:zlib';
import { Hono, type Context, type Next } from 'hono';
import { config } from '../../config';
import { setDefaultBranchIfUnset } from '../store/projects';
import { GitHttpRefusal, gitAccess } from './http-access';
import { migrateLegacyRepository } from './migrate-legacy';
import { pkt, PktLineError, FLUSH } from './pkt-line';
import { receivePack, receivePackAdvertisement, type PushCommand } from './receive-pack';
import { BRANCH_PREFIX, ZERO_OID } from './ref-names';
import { openRepository, PackRejected } from './repository';
import { compactWhenFragmented } from './compaction';
import { advertiseV2, ProtocolError, uploadPackAdvertisementV0, uploadPackV0, uploadPackV2 } from './upload-pack';
import { afterPush } from '../services/push-pipelines';

/**
 * Git's smart HTTP protocol at GitLab's URLs: `/<namespace>/<project>.git/info/refs`,
 * `…/git-upload-pack` and `…/git-receive-pack`. The form without `.git` is redirected to it for
 * discovery, as GitLab does. Dumb HTTP is not served.
 */
export const gitHttp = new Hono().on(['GET', 'POST'], '*', smartHttp);

const ROUTE = /^\/(.+?)(\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;
const NO_CACHE = { 'Cache-Control': 'no-cache', Expires: 'Fri, 01 Jan 1980 00:00:00 GMT', Pragma: 'no-cache' };

function refusal(c: Context, error: GitHttpRefusal) {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
  if (error.status === 401) headers['WWW-Authenticate'] = 'Basic realm="GitLab"';
  return c.body(error.text, error.status, headers);
}

/**
 * The request body, gunzipped. Past `limit` bytes the rest is read and dropped (a client that is
 * not read to the end never sees the answer), and `truncated` is set.
 */
async function requestBody(c: Context, limit: number): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  const reader = c.req.raw.body?.getReader();
  for (let read = await reader?.read(); read && !read.done; read = await reader!.read()) {
    if (size + read.value.length > limit) truncated = true;
    else chunks.push(Buffer.from(read.value));
    size += read.value.length;
  }
  let body = Buffer.concat(chunks);
  if (!truncated && (c.req.header('Content-Encoding') ?? '').toLowerCase() === 'gzip') {
    try {
      body = gunzipSync(body, { maxOutputLength: limit });
    } catch (error) {
      if (!(error instanceof RangeError)) throw new ProtocolError('bad gzip request body');
      truncated = true;
    }
  }
  return { body, truncated };
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(2)} MiB` : `${bytes} bytes`;
}

/** A fatal error the client shows as `remote: …` (receive-pack) or `remote error: …` (upload-pack). */
function fatal(c: Context, service: string, message: string) {
  const body = service === 'git-receive-pack' ? Buffer.concat([pkt(Buffer.concat([Buffer.from([3]), Buffer.from(`${message}\n`)])), FLUSH]) : Buffer.concat([pkt(`ERR ${message}\n`)]);
  return c.body(new Uint8Array(body), 200, { 'Content-Type': `application/x-${service}-result`, ...NO_CACHE });
}

async function smartHttp(c: Context, next: Next): Promise<Response | void> {
  const match = c.req.path.match(ROUTE);
  if (!match) return next();
  const [, projectPath, dotGit, action] = match;
  const method = c.req.method;
  if ((action === 'info/refs') !== (method === 'GET')) return next();
  if (!dotGit) {
    if (action !== 'info/refs') return next();
    const url = new URL(c.req.url);
    return c.redirect(`${url.pathname.replace(/\/info\/refs$/, '.git/info/refs')}${url.search}`, 301);
  }
  const service = action === 'info/refs' ? c.req.query('service') : action;
  if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
    return c.body('Dumb HTTP is not supported; use a git client of version 1.6.6 or later.\n', 403, { 'Content-Type': 'text/plain; charset=utf-8' });
  }
  try {
    const access = await gitAccess(projectPath, c.req.header('Authorization'), service === 'git-receive-pack' ? 'write' : 'read');
    const repo = await openRepository(access.project.id, { migrate: migrateLegacyRepository });
    const v2 = service === 'git-upload-pack' && /(^|:)version=2(:|$)/.test(c.req.header('Git-Protocol') ?? '');
    if (action === 'info/refs') {
      const body = service === 'git-receive-pack' ? await receivePackAdvertisement(repo) : v2 ? advertiseV2() : await uploadPackAdvertisementV0(repo, access.project.defaultBranch);
      return c.body(new Uint8Array(body), 200, { 'Content-Type': `application/x-${service}-advertisement`, ...NO_CACHE });
    }
    const limit = config().gitlabMaxPushBytes;
    const { body, truncated } = await requestBody(c, limit);
    const tooLarge = truncated ? `GitLab: this push is larger than the limit of ${sizeText(limit)} of this server.` : undefined;
    if (tooLarge && service === 'git-upload-pack') return fatal(c, service, 'request too large');
    if (service === 'git-upload-pack') {
      const result = v2 ? await uploadPackV2(repo, access.project.defaultBranch, body) : await uploadPackV0(repo, body);
      return c.body(new Uint8Array(result), 200, { 'Content-Type': 'application/x-git-upload-pack-result', ...NO_CACHE });
    }
    const outcome = await receivePack(repo, body, { protectedBranch: access.project.defaultBranch, mayPushProtected: access.canPushProtected, tooLarge });
    let project = access.project;
    const branch = project.defaultBranch === null ? defaultBranchOf(outcome.applied) : undefined;
    if (branch) {
      await setDefaultBranchIfUnset(project.id, branch);
      project = { ...project, defaultBranch: branch };
    }
    if (access.principal.kind === 'user') await afterPush({ project, user: access.principal.user, repo, updates: outcome.applied, pushOptions: outcome.pushOptions });
    if (outcome.applied.length > 0) await compactWhenFragmented(repo);
    return c.body(new Uint8Array(outcome.response), 200, { 'Content-Type': 'application/x-git-receive-pack-result', ...NO_CACHE });
  } catch (error) {
    if (error instanceof GitHttpRefusal) return refusal(c, error);
    if (error instanceof ProtocolError || error instanceof PktLineError || error instanceof PackRejected) return fatal(c, service, error.message);
    throw error;
  }
}

/** The branch a first push makes the default: `main`, else `master`, else the first one pushed. */
function defaultBranchOf(applied: PushCommand[]): string | undefined {
  const branches = applied.filter((command) => command.new !== ZERO_OID && command.name.startsWith(BRANCH_PREFIX)).map((command) => command.name.slice(BRANCH_PREFIX.length));
  return branches.find((name) => name === 'main') ?? branches.find((name) => name === 'master') ?? branches[0];
}
