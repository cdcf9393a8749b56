import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, openAsBlob } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { BlobReader, configure, ZipReader, ZipWriter } from '@zip.js/zip.js';

/**
 * The runner's files in and out of archives, with zip.js: artifacts zipped (or gzipped, for
 * reports) into a file before upload, and dependency archives unpacked into the build folder.
 */
configure({ useWebWorkers: false });

export async function zipEntries(root: string, entries: string[], target: string): Promise<void> {
  const writer = new ZipWriter(Writable.toWeb(createWriteStream(target)) as WritableStream<Uint8Array>);
  for (const entry of entries) {
    const info = await stat(join(root, entry));
    if (entry.endsWith('/')) {
      await writer.add(entry, undefined, { directory: true, lastModDate: info.mtime });
    } else {
      await writer.add(entry, new BlobReader(await openAsBlob(join(root, entry))), { lastModDate: info.mtime, unixMode: info.mode & 0o777 });
    }
  }
  await writer.close();
}

/** Reports in `gzip` format: every file as one gzip member, members concatenated (as gitlab-runner does). */
export async function gzipFiles(root: string, files: string[], target: string): Promise<void> {
  const members = await Promise.all(files.map(async (file) => gzipSync(await readFile(join(root, file)))));
  await writeFile(target, Buffer.concat(members));
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Unpacks `archive` into `root`; entries that would land outside it are refused. */
export async function unzipInto(archive: string, root: string): Promise<number> {
  const reader = new ZipReader(new BlobReader(await openAsBlob(archive)));
  const base = resolve(root);
  let count = 0;
  try {
    for (const entry of await reader.getEntries()) {
      const target = resolve(base, entry.filename);
      if (target !== base && !target.startsWith(base + sep)) throw new Error(`archive entry ${JSON.stringify(entry.filename)} points outside the build folder`);
      if (entry.directory) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      await entry.getData!(Writable.toWeb(createWriteStream(target, { mode: entry.unixMode ? entry.unixMode & 0o777 : 0o644 })) as WritableStream<Uint8Array>);
      count++;
    }
  } finally {
    await reader.close();
  }
  return count;
}
