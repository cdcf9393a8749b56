import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { Uint8ArrayReader, ZipWriter } from '@zip.js/zip.js';
import { pack as tarPack } from 'tar-stream';
import { readObject, type Repository } from './repository';

/**
 * `git archive` of a tree: every file under one top directory (`prefix/`), as a tar (optionally
 * gzipped) or a zip, streamed as it is written. Files keep their modes, symbolic links stay links
 * in tars, and submodules are left out, as git does.
 */
export type ArchiveFormat = 'tar' | 'tar.gz' | 'zip';

interface ArchiveFile {
  path: string;
  mode: string;
  oid: string;
}

async function filesOf(repo: Repository, tree: string, prefix: string, into: ArchiveFile[]): Promise<void> {
  const read = await readObject(repo, tree);
  if (read.type !== 'tree') return;
  for (const entry of read.object) {
    if (entry.type === 'tree') await filesOf(repo, entry.oid, `${prefix}${entry.path}/`, into);
    else if (entry.type === 'blob') into.push({ path: `${prefix}${entry.path}`, mode: entry.mode, oid: entry.oid });
  }
}

async function contentOf(repo: Repository, oid: string): Promise<Uint8Array> {
  const read = await readObject(repo, oid);
  return read.type === 'blob' ? read.object : new Uint8Array();
}

export async function archiveStream(repo: Repository, tree: string, prefix: string, format: ArchiveFormat, mtime: Date): Promise<ReadableStream<Uint8Array>> {
  const files: ArchiveFile[] = [];
  await filesOf(repo, tree, '', files);
  if (format === 'zip') {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = new ZipWriter(writable, { lastModDate: mtime });
    void (async () => {
      await writer.add(`${prefix}/`, undefined, { directory: true });
      for (const file of files) {
        await writer.add(`${prefix}/${file.path}`, new Uint8ArrayReader(await contentOf(repo, file.oid)), { externalFileAttributes: (parseInt(file.mode, 8) & 0xffff) * 0x10000 });
      }
      await writer.close();
    })().catch((error: unknown) => writable.abort(error).catch(() => undefined));
    return readable;
  }
  const tar = tarPack();
  void (async () => {
    tar.entry({ name: `${prefix}/`, type: 'directory', mode: 0o775, mtime });
    for (const file of files) {
      const data = Buffer.from(await contentOf(repo, file.oid));
      const name = `${prefix}/${file.path}`;
      if (file.mode === '120000') tar.entry({ name, type: 'symlink', linkname: data.toString('utf8'), mode: 0o777, mtime });
      else tar.entry({ name, mode: file.mode === '100755' ? 0o775 : 0o664, mtime }, data);
    }
    tar.finalize();
  })().catch((error: unknown) => tar.destroy(error as Error));
  // tar-stream's packer is a streamx stream: read as an async iterable into a Node stream.
  const tarred = Readable.from(tar);
  return Readable.toWeb(format === 'tar.gz' ? tarred.pipe(createGzip()) : tarred) as ReadableStream<Uint8Array>;
}
