import { TransactionConflict } from '../../storage/transact';
import type { RefUpdate } from '../store/git-refs';
import { advertiseV0 } from './upload-pack';
import { FLUSH, lineOf, pkt, readPackets, SIDE_BAND, sideBand } from './pkt-line';
import { BRANCH_PREFIX, isHiddenRef, isValidRefName, ZERO_OID } from './ref-names';
import { commitPack, hasObject, PackRejected, readObject, stagePack, type ObjectReader, type Repository, type StagedPack } from './repository';

/**
 * `git-receive-pack` (gitprotocol-pack, "Pushing Data To a Server"): commands, the pack, then a
 * report-status. The pack is indexed and checked for completeness before anything is registered,
 * and the refs move by compare-and-set, in one transaction with the pack's registration.
 */
const CAPABILITIES = 'report-status delete-refs side-band-64k quiet atomic ofs-delta no-thin push-options object-format=sha1';

export const receivePackAdvertisement = (repo: Repository) => advertiseV0(repo, null, 'git-receive-pack', CAPABILITIES);

export interface PushCommand {
  name: string;
  old: string;
  new: string;
}

export interface PushPolicy {
  /** The protected branch (the default branch), which may not be force-pushed or deleted. */
  protectedBranch: string | null;
  /** Whether the pusher may push to the protected branch at all (maintainers, by default). */
  mayPushProtected: boolean;
  /** Set when the request was larger than allowed: every command fails with this message. */
  tooLarge?: string;
}

export interface PushOutcome {
  /** The updates that were applied. */
  applied: PushCommand[];
  pushOptions: string[];
  response: Buffer;
}

const OID = /^[0-9a-f]{40}$/;

function parseCommands(body: Buffer) {
  const first = readPackets(body, 0, true);
  const commands: PushCommand[] = [];
  let capabilities: string[] = [];
  for (const packet of first.packets) {
    const line = lineOf(packet);
    if (line === undefined) continue;
    const [command, caps] = line.split('\0');
    if (caps !== undefined) capabilities = caps.split(' ');
    const [old, next] = command.split(' ', 2);
    const name = command.slice(82);
    if (!OID.test(old ?? '') || !OID.test(next ?? '') || command[81] !== ' ' || !name) throw new PackRejected(`protocol error: bad command '${command}'`);
    commands.push({ old, new: next, name });
  }
  let offset = first.offset;
  const pushOptions: string[] = [];
  if (capabilities.includes('push-options')) {
    const options = readPackets(body, offset, true);
    pushOptions.push(...options.packets.map(lineOf).filter((line): line is string => line !== undefined));
    offset = options.offset;
  }
  return { commands, capabilities, pushOptions, pack: body.subarray(offset) };
}

/** Whether `ancestor` is reachable from `oid` (a fast-forward from `ancestor` to `oid`). */
async function isAncestor(read: ObjectReader, ancestor: string, oid: string): Promise<boolean> {
  const seen = new Set<string>();
  const pending = [oid];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (next === ancestor) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    const object = await readObject(read, next);
    if (object.type === 'commit') pending.push(...object.object.parent);
  }
  return false;
}

/**
 * git's connectivity check: everything the new ref values reach through the new pack ends in
 * objects that exist. Objects already stored are complete; blobs of the pack were verified when it
 * was indexed, so only its commits, trees and tags are read.
 */
async function checkConnected(staged: StagedPack, tips: string[]): Promise<string | undefined> {
  const seen = new Set<string>();
  const pending: { oid: string; blob: boolean }[] = tips.map((oid) => ({ oid, blob: false }));
  while (pending.length > 0) {
    const { oid, blob } = pending.pop()!;
    if (seen.has(oid)) continue;
    seen.add(oid);
    if (!staged.oids.has(oid)) {
      if (!(await hasObject(staged, oid))) return `missing necessary objects (${oid})`;
      continue;
    }
    if (blob) continue;
    const read = await readObject(staged, oid);
    if (read.type === 'commit') pending.push({ oid: read.object.tree, blob: false }, ...read.object.parent.map((parent) => ({ oid: parent, blob: false })));
    else if (read.type === 'tree') pending.push(...read.object.filter((entry) => entry.mode !== '160000').map((entry) => ({ oid: entry.oid, blob: entry.type === 'blob' })));
    else if (read.type === 'tag') pending.push({ oid: read.object.object, blob: false });
  }
  return undefined;
}

export async function receivePack(repo: Repository, body: Buffer, policy: PushPolicy): Promise<PushOutcome> {
  const { commands, capabilities, pushOptions, pack } = parseCommands(body);
  // git's probe of a large push (a bare flush) gets an empty answer, as from git-receive-pack.
  if (commands.length === 0) return { applied: [], pushOptions, response: Buffer.alloc(0) };
  const band = capabilities.includes('side-band-64k');
  const messages: string[] = [];
  const results = new Map<string, string>();
  let unpack = 'ok';
  let staged: StagedPack | undefined;
  const applied: PushCommand[] = [];
  if (policy.tooLarge) {
    unpack = 'pack exceeds maximum allowed size';
    messages.push(policy.tooLarge);
  }
  try {
    if (unpack === 'ok' && commands.some((command) => command.new !== ZERO_OID)) {
      try {
        staged = await stagePack(repo, pack);
        const broken = await checkConnected(
          staged,
          commands.filter((command) => command.new !== ZERO_OID).map((command) => command.new),
        );
        if (broken) throw new PackRejected(broken);
      } catch (error) {
        if (!(error instanceof PackRejected)) throw error;
        unpack = error.message;
      }
    }
    const reader = staged ?? repo;
    const accepted: PushCommand[] = [];
    for (const command of commands) {
      const reason = unpack !== 'ok' ? 'unpacker error' : await refuse(repo, reader, command, policy, messages);
      if (reason) results.set(command.name, reason);
      else accepted.push(command);
    }
    const atomic = capabilities.includes('atomic');
    if (atomic && results.size > 0) for (const command of accepted.splice(0)) results.set(command.name, 'atomic push failure');
    while (accepted.length > 0) {
      const updates: RefUpdate[] = accepted.map((command) => ({
        name: command.name,
        old: command.old === ZERO_OID ? undefined : command.old,
        new: command.new === ZERO_OID ? undefined : command.new,
      }));
      const needsPack = accepted.some((command) => command.new !== ZERO_OID);
      try {
        await commitPack(repo, needsPack ? staged : undefined, updates);
        applied.push(...accepted.splice(0));
      } catch (error) {
        if (!(error instanceof TransactionConflict) || error.transient) throw error;
        // The refs that moved meanwhile lose; with `atomic` so does everything else.
        for (const index of [...error.failedConditions].sort((a, b) => b - a)) {
          results.set(accepted[index].name, 'stale info');
          accepted.splice(index, 1);
        }
        if (atomic) for (const command of accepted.splice(0)) results.set(command.name, 'atomic push failure');
      }
    }
  } finally {
    await staged?.dispose();
  }
  const report = [pkt(`unpack ${unpack}\n`), ...commands.map((command) => pkt(results.has(command.name) ? `ng ${command.name} ${results.get(command.name)}\n` : `ok ${command.name}\n`)), FLUSH];
  const response = band
    ? Buffer.concat([...messages.flatMap((message) => sideBand(SIDE_BAND.progress, Buffer.from(`${message}\n`))), ...sideBand(SIDE_BAND.data, Buffer.concat(report)), FLUSH])
    : Buffer.concat(report);
  return { applied, pushOptions, response };
}

async function refuse(repo: Repository, reader: ObjectReader, command: PushCommand, policy: PushPolicy, messages: string[]): Promise<string | undefined> {
  const { name } = command;
  if (!name.startsWith('refs/') || !isValidRefName(name)) return 'funny refname';
  if (isHiddenRef(name)) return 'deny updating a hidden ref';
  const current = repo.refs.get(name);
  if ((current ?? ZERO_OID) !== command.old) return 'stale info';
  if (command.new !== ZERO_OID) {
    const read = await readObject(reader, command.new);
    if (name.startsWith(BRANCH_PREFIX) && read.type !== 'commit') return 'branches must point at commits';
  }
  const protectedRef = policy.protectedBranch !== null && name === `${BRANCH_PREFIX}${policy.protectedBranch}`;
  if (protectedRef && command.new === ZERO_OID) {
    messages.push('GitLab: You can only delete protected branches using the web interface.');
    return 'pre-receive hook declined';
  }
  if (protectedRef && command.old !== ZERO_OID && !(await isAncestor(reader, command.old, command.new))) {
    messages.push('GitLab: You are not allowed to force push code to a protected branch on this project.');
    return 'pre-receive hook declined';
  }
  if (protectedRef && !policy.mayPushProtected) {
    messages.push('GitLab: You are not allowed to push code to protected branches on this project.');
    return 'pre-receive hook declined';
  }
  return undefined;
}
