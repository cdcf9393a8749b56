import { AGENT, advertisedRefs } from './advertisement';
import { walkForFetch } from './object-walk';
import { writePack } from './pack-writer';
import { DELIM, FLUSH, lineOf, pkt, readPackets, SIDE_BAND, sideBand, type Packet } from './pkt-line';
import { ZERO_OID } from './ref-names';
import { hasObject, readObject, type Repository } from './repository';

/**
 * `git-upload-pack` over stateless HTTP (gitprotocol-pack, gitprotocol-v2): the ref advertisement,
 * one negotiation round per POST, and the pack. Any commit of the repository may be wanted by id
 * (gitlab-runner fetches the pipeline's SHA), as with allowAnySHA1InWant.
 */
const V0_CAPABILITIES = 'multi_ack_detailed side-band-64k side-band thin-pack ofs-delta shallow deepen-relative no-progress include-tag allow-tip-sha1-in-want allow-reachable-sha1-in-want object-format=sha1';

export class ProtocolError extends Error {}

export async function advertiseV0(repo: Repository, defaultBranch: string | null, service: 'git-upload-pack' | 'git-receive-pack', capabilities: string): Promise<Buffer> {
  const refs = await advertisedRefs(repo, defaultBranch);
  const visible = service === 'git-receive-pack' ? refs.filter((ref) => ref.name !== 'HEAD') : refs;
  const head = refs.find((ref) => ref.name === 'HEAD');
  const caps = `${capabilities}${head?.symrefTarget && service === 'git-upload-pack' ? ` symref=HEAD:${head.symrefTarget}` : ''} ${AGENT}`;
  const lines: Buffer[] = [];
  if (visible.length === 0) lines.push(pkt(`${ZERO_OID} capabilities^{}\0${caps}\n`));
  visible.forEach((ref, i) => {
    lines.push(pkt(i === 0 ? `${ref.oid} ${ref.name}\0${caps}\n` : `${ref.oid} ${ref.name}\n`));
    if (ref.peeled) lines.push(pkt(`${ref.peeled} ${ref.name}^{}\n`));
  });
  return Buffer.concat([pkt(`# service=${service}\n`), FLUSH, ...lines, FLUSH]);
}

export const uploadPackAdvertisementV0 = (repo: Repository, defaultBranch: string | null) => advertiseV0(repo, defaultBranch, 'git-upload-pack', V0_CAPABILITIES);

export function advertiseV2(): Buffer {
  return Buffer.concat([
    pkt('# service=git-upload-pack\n'),
    FLUSH,
    pkt('version 2\n'),
    pkt(`${AGENT}\n`),
    pkt('ls-refs=unborn\n'),
    pkt('fetch=shallow\n'),
    pkt('server-option\n'),
    pkt('object-format=sha1\n'),
    FLUSH,
  ]);
}

interface FetchArgs {
  wants: string[];
  haves: string[];
  shallow: Set<string>;
  depth?: number;
  relative: boolean;
  done: boolean;
  sideBand?: 'side-band' | 'side-band-64k';
  noProgress: boolean;
  includeTag: boolean;
}

const OID = /^[0-9a-f]{40}$/;

function argument(line: string, args: FetchArgs): void {
  const [word, value = ''] = line.split(' ', 2);
  switch (word) {
    case 'want':
    case 'have':
    case 'shallow':
      if (!OID.test(value)) throw new ProtocolError(`protocol error: expected sha, got '${value}'`);
      if (word === 'want') args.wants.push(value);
      else if (word === 'have') args.haves.push(value);
      else args.shallow.add(value);
      return;
    case 'deepen': {
      const depth = Number(value);
      if (!Number.isInteger(depth) || depth <= 0) throw new ProtocolError(`protocol error: invalid deepen: ${value}`);
      args.depth = depth;
      return;
    }
    case 'done':
      args.done = true;
      return;
    case 'no-progress':
      args.noProgress = true;
      return;
    case 'include-tag':
      args.includeTag = true;
      return;
    case 'deepen-relative':
      args.relative = true;
      return;
    case 'thin-pack':
    case 'ofs-delta':
      return;
    default:
      throw new ProtocolError(`unexpected line: '${line}'`);
  }
}

function newArgs(): FetchArgs {
  return { wants: [], haves: [], shallow: new Set(), relative: false, done: false, noProgress: false, includeTag: false };
}

async function checkWants(repo: Repository, wants: string[]): Promise<void> {
  for (const want of wants) {
    if (!(await hasObject(repo, want))) throw new ProtocolError(`upload-pack: not our ref ${want}`);
  }
}

/** Haves we have as commits, in the order given. */
async function commonCommits(repo: Repository, haves: string[]): Promise<string[]> {
  const common: string[] = [];
  for (const have of haves) {
    if (common.includes(have) || !(await hasObject(repo, have))) continue;
    if ((await readObject(repo, have)).type === 'commit') common.push(have);
  }
  return common;
}

async function buildFetchPack(repo: Repository, args: FetchArgs, common: string[]) {
  const walk = await walkForFetch(repo, { wants: args.wants, common, clientShallow: args.shallow, depth: args.depth, relative: args.relative, includeTags: args.includeTag });
  return { walk, pack: await writePack(repo, walk.oids) };
}

function shallowLines(walk: { shallow: string[]; unshallow: string[] }): Buffer[] {
  return [...walk.shallow.map((oid) => pkt(`shallow ${oid}\n`)), ...walk.unshallow.map((oid) => pkt(`unshallow ${oid}\n`))];
}

function progress(text: string): Buffer[] {
  return sideBand(SIDE_BAND.progress, Buffer.from(text));
}

/** Protocol v0/v1: one POST of `want…` `[shallow/deepen]` flush, then `have…` and `done` or flush. */
export async function uploadPackV0(repo: Repository, body: Buffer): Promise<Buffer> {
  const { packets } = readPackets(body);
  const args = newArgs();
  let section: 'wants' | 'haves' = 'wants';
  for (const packet of packets) {
    if (packet.kind === 'flush') {
      section = 'haves';
      continue;
    }
    const line = lineOf(packet);
    if (line === undefined) continue;
    if (section === 'wants' && line.startsWith('want ') && args.wants.length === 0) {
      const [want, ...capabilities] = line.split(' ').slice(1);
      args.wants.push(want);
      if (!OID.test(want)) throw new ProtocolError(`protocol error: expected sha, got '${want}'`);
      if (capabilities.includes('side-band-64k')) args.sideBand = 'side-band-64k';
      else if (capabilities.includes('side-band')) args.sideBand = 'side-band';
      args.noProgress = capabilities.includes('no-progress');
      args.includeTag = capabilities.includes('include-tag');
      args.relative = capabilities.includes('deepen-relative');
      continue;
    }
    argument(line, args);
  }
  if (args.wants.length === 0) return Buffer.alloc(0);
  await checkWants(repo, args.wants);
  const out: Buffer[] = [];
  const deepening = args.depth !== undefined || args.shallow.size > 0;
  const common = await commonCommits(repo, args.haves);
  if (!args.done) {
    if (deepening) out.push(...shallowLines(await walkForFetch(repo, { wants: args.wants, common, clientShallow: args.shallow, depth: args.depth, relative: args.relative })), FLUSH);
    // A request without haves only learns the shallow boundary (fetch-pack reads no ACK/NAK for it).
    if (args.haves.length === 0) return Buffer.concat(out);
    for (const oid of common) out.push(pkt(`ACK ${oid} common\n`));
    if (common.length > 0) out.push(pkt(`ACK ${common[common.length - 1]} ready\n`));
    out.push(pkt('NAK\n'));
    return Buffer.concat(out);
  }
  const { walk, pack } = await buildFetchPack(repo, args, common);
  if (deepening) out.push(...shallowLines(walk), FLUSH);
  out.push(pkt(common.length > 0 ? `ACK ${common[common.length - 1]}\n` : 'NAK\n'));
  if (!args.sideBand) {
    out.push(pack);
    return Buffer.concat(out);
  }
  const max = args.sideBand === 'side-band-64k' ? 65515 : 999;
  if (!args.noProgress) out.push(...progress(`Enumerating objects: ${walk.oids.length}, done.\n`));
  out.push(...sideBand(SIDE_BAND.data, pack, max), FLUSH);
  return Buffer.concat(out);
}

/** Protocol v2: `command=ls-refs` or `command=fetch`, capabilities, delim, arguments, flush. */
export async function uploadPackV2(repo: Repository, defaultBranch: string | null, body: Buffer): Promise<Buffer> {
  const { packets } = readPackets(body);
  const delim = packets.findIndex((packet) => packet.kind === 'delim');
  const head = (delim < 0 ? packets : packets.slice(0, delim)).map(lineOf).filter((line): line is string => line !== undefined);
  const commandLine = head.find((line) => line.startsWith('command='));
  if (!commandLine) return Buffer.alloc(0);
  const args = (delim < 0 ? [] : packets.slice(delim + 1)).map((packet: Packet) => lineOf(packet)).filter((line): line is string => line !== undefined);
  const command = commandLine.slice('command='.length);
  if (command === 'ls-refs') return lsRefs(repo, defaultBranch, args);
  if (command === 'fetch') return fetchV2(repo, args);
  throw new ProtocolError(`invalid command '${command}'`);
}

async function lsRefs(repo: Repository, defaultBranch: string | null, args: string[]): Promise<Buffer> {
  const prefixes = args.filter((arg) => arg.startsWith('ref-prefix ')).map((arg) => arg.slice('ref-prefix '.length));
  const symrefs = args.includes('symrefs');
  const peel = args.includes('peel');
  const refs = await advertisedRefs(repo, defaultBranch);
  const out: Buffer[] = [];
  const wanted = (name: string) => prefixes.length === 0 || prefixes.some((prefix) => name.startsWith(prefix));
  if (args.includes('unborn') && defaultBranch !== null && !refs.some((ref) => ref.name === 'HEAD') && wanted('HEAD')) {
    out.push(pkt(`unborn HEAD${symrefs ? ` symref-target:refs/heads/${defaultBranch}` : ''}\n`));
  }
  for (const ref of refs) {
    if (!wanted(ref.name)) continue;
    let line = `${ref.oid} ${ref.name}`;
    if (symrefs && ref.symrefTarget) line += ` symref-target:${ref.symrefTarget}`;
    if (peel && ref.peeled) line += ` peeled:${ref.peeled}`;
    out.push(pkt(`${line}\n`));
  }
  out.push(FLUSH);
  return Buffer.concat(out);
}

async function fetchV2(repo: Repository, lines: string[]): Promise<Buffer> {
  const args = newArgs();
  for (const line of lines) {
    if (line === 'sideband-all' || line === 'wait-for-done' || line.startsWith('server-option')) continue;
    argument(line, args);
  }
  await checkWants(repo, args.wants);
  const common = await commonCommits(repo, args.haves);
  const out: Buffer[] = [];
  if (!args.done) {
    out.push(pkt('acknowledgments\n'));
    for (const oid of common) out.push(pkt(`ACK ${oid}\n`));
    if (common.length === 0) out.push(pkt('NAK\n'));
    if (common.length === 0 && args.haves.length > 0) {
      out.push(FLUSH);
      return Buffer.concat(out);
    }
    out.push(pkt('ready\n'), DELIM);
  }
  const { walk, pack } = await buildFetchPack(repo, args, common);
  if (args.depth !== undefined || args.shallow.size > 0) {
    out.push(pkt('shallow-info\n'), ...shallowLines(walk), DELIM);
  }
  out.push(pkt('packfile\n'));
  if (!args.noProgress) out.push(...progress(`Enumerating objects: ${walk.oids.length}, done.\n`));
  out.push(...sideBand(SIDE_BAND.data, pack), FLUSH);
  return Buffer.concat(out);
}
