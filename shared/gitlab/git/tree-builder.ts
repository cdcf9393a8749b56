import * as git from 'isomorphic-git';
import { readObject, type ObjectReader } from './repository';
import type { Scratch } from './tree-edit';

/**
 * A commit's tree being edited in memory, as git's index is: read lazily from the repository,
 * changed path by path (several changes in one commit), then written bottom-up, only the trees
 * that changed. Directories left empty disappear, as in git.
 */
export interface TreeLeaf {
  oid: string;
  mode: string;
}

interface Node {
  /** The stored tree, until the node is changed. */
  oid: string | undefined;
  entries: Map<string, { mode: string; oid: string; type: string; node?: Node }> | undefined;
  dirty: boolean;
}

export class PathIsDirectory extends Error {}
export class PathIsFile extends Error {}

export class TreeBuilder {
  private readonly root: Node;

  constructor(
    private readonly repo: ObjectReader,
    rootTree: string | undefined,
  ) {
    this.root = { oid: rootTree, entries: rootTree ? undefined : new Map(), dirty: rootTree === undefined };
  }

  private async load(node: Node): Promise<NonNullable<Node['entries']>> {
    if (!node.entries) {
      const read = await readObject(this.repo, node.oid!);
      node.entries = new Map(read.type === 'tree' ? read.object.map((entry) => [entry.path, { mode: entry.mode, oid: entry.oid, type: entry.type }]) : []);
    }
    return node.entries;
  }

  /** The directory node at `segments`, created on the way when `create`. */
  private async directory(segments: string[], create: boolean): Promise<Node[] | undefined> {
    const chain = [this.root];
    for (const name of segments) {
      const entries = await this.load(chain.at(-1)!);
      let entry = entries.get(name);
      if (!entry) {
        if (!create) return undefined;
        entry = { mode: '040000', oid: '', type: 'tree', node: { oid: undefined, entries: new Map(), dirty: true } };
        entries.set(name, entry);
      }
      if (entry.type !== 'tree') {
        if (create) throw new PathIsFile(name);
        return undefined;
      }
      entry.node ??= { oid: entry.oid, entries: undefined, dirty: false };
      chain.push(entry.node);
    }
    return chain;
  }

  /** The file (or submodule) at `path`, undefined for none or a directory. */
  async file(path: string): Promise<TreeLeaf | undefined> {
    const segments = path.split('/');
    const chain = await this.directory(segments.slice(0, -1), false);
    if (!chain) return undefined;
    const entry = (await this.load(chain.at(-1)!)).get(segments.at(-1)!);
    return entry && entry.type !== 'tree' ? { oid: entry.oid, mode: entry.mode } : undefined;
  }

  async isDirectory(path: string): Promise<boolean> {
    return (await this.directory(path.split('/'), false)) !== undefined;
  }

  async set(path: string, leaf: TreeLeaf): Promise<void> {
    const segments = path.split('/');
    const chain = (await this.directory(segments.slice(0, -1), true))!;
    const entries = await this.load(chain.at(-1)!);
    const name = segments.at(-1)!;
    if (entries.get(name)?.type === 'tree') throw new PathIsDirectory(name);
    entries.set(name, { mode: leaf.mode, oid: leaf.oid, type: leaf.mode === '160000' ? 'commit' : 'blob' });
    for (const node of chain) node.dirty = true;
  }

  async remove(path: string): Promise<boolean> {
    const segments = path.split('/');
    const chain = await this.directory(segments.slice(0, -1), false);
    if (!chain) return false;
    const entries = await this.load(chain.at(-1)!);
    const entry = entries.get(segments.at(-1)!);
    if (!entry || entry.type === 'tree') return false;
    entries.delete(segments.at(-1)!);
    for (const node of chain) node.dirty = true;
    return true;
  }

  /** Writes the changed trees into `scratch`; the root tree's id, and every tree written added to `written`. */
  async write(scratch: Scratch, written: string[]): Promise<string> {
    return (await this.writeNode(this.root, scratch, written)) ?? (await this.writeEmpty(scratch, written));
  }

  private async writeEmpty(scratch: Scratch, written: string[]): Promise<string> {
    const oid = await git.writeTree({ fs: scratch.fs, gitdir: scratch.gitdir, tree: [] });
    written.push(oid);
    return oid;
  }

  /** The node's tree id; undefined when it is empty (and so is dropped from its parent). */
  private async writeNode(node: Node, scratch: Scratch, written: string[]): Promise<string | undefined> {
    if (!node.dirty) return node.oid;
    const tree: git.TreeEntry[] = [];
    for (const [path, entry] of node.entries!) {
      if (entry.type === 'tree' && entry.node) {
        const oid = await this.writeNode(entry.node, scratch, written);
        if (oid) tree.push({ mode: '040000', path, oid, type: 'tree' });
      } else tree.push({ mode: entry.mode, path, oid: entry.oid, type: entry.type as git.TreeEntry['type'] });
    }
    if (tree.length === 0) return undefined;
    const oid = await git.writeTree({ fs: scratch.fs, gitdir: scratch.gitdir, tree });
    written.push(oid);
    return oid;
  }
}
