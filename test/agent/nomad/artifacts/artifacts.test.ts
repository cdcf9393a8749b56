import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobWriter, TextReader, ZipWriter } from '@zip.js/zip.js';
import { c as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError, getArtifact, type ArtifactSpec } from '../../../../agent/nomad/artifacts/artifact-getter';

/** The artifact getter against a loopback HTTP server: what it refuses and how it says so. */
const root = mkdtempSync(join(tmpdir(), 'artifacts-'));
const served = new Map<string, Buffer>();
let server: Server;
let url: string;

beforeAll(async () => {
  const src = join(root, 'src');
  mkdirSync(join(src, 'tree'), { recursive: true });
  symlinkSync('/etc', join(src, 'tree', 'etc-link'));
  writeFileSync(join(src, 'tree', 'suid'), 'x', { mode: 0o4755 });
  await createTar({ gzip: true, file: join(root, 'links.tgz'), cwd: join(src, 'tree') }, ['etc-link']);
  await createTar({ file: join(root, 'suid.tar'), cwd: join(src, 'tree') }, ['suid']);
  served.set('/links.tgz', readFileSync(join(root, 'links.tgz')));
  served.set('/suid.tar', readFileSync(join(root, 'suid.tar')));
  const zip = new ZipWriter(new BlobWriter());
  await zip.add('../../escape.txt', new TextReader('out'));
  served.set('/slip.zip', Buffer.from(await (await zip.close()).arrayBuffer()));
  served.set('/plain.bin', Buffer.from('plain'));
  server = createServer((req, res) => {
    const body = served.get(new URL(req.url!, 'http://x').pathname);
    if (body) res.end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

function task(name: string) {
  const taskDir = join(root, name, 't');
  const dirs = { allocDir: join(root, name, 'alloc'), taskDir, localDir: join(taskDir, 'local'), secretsDir: join(taskDir, 'secrets'), tmpDir: join(taskDir, 'tmp') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  return { dirs, get: (spec: ArtifactSpec) => getArtifact(spec, { dirs, interpolate: (text) => text.replace('${NOMAD_TASK_NAME}', 't'), signal: new AbortController().signal }) };
}

describe('artifact getter', () => {
  it('refuses archives that reach outside the task: symlinks out and entries that climb', async () => {
    const links = task('links');
    await expect(links.get({ GetterSource: `${url}/links.tgz` })).rejects.toThrow(new ArtifactError('artifact includes symlink that resolves outside of sandbox'));
    const slip = task('slip');
    // zip.js refuses such an archive as a whole (go-getter: entry contains '..').
    await expect(slip.get({ GetterSource: `${url}/slip.zip` })).rejects.toThrow(`error downloading '${url}/slip.zip': Unsafe filename`);
    expect(existsSync(join(root, 'slip', 'escape.txt'))).toBe(false);
    expect(existsSync(join(root, 'escape.txt'))).toBe(false);
  });

  it('drops setuid bits of unpacked files', async () => {
    const { dirs, get } = task('suid');
    await get({ GetterSource: `${url}/suid.tar` });
    expect(statSync(join(dirs.localDir, 'suid')).mode & 0o7777).toBe(0o755);
  });

  it('refuses destinations outside the task, unsupported schemes, bad checksums and mode dir without an archive', async () => {
    const { dirs, get } = task('refusals');
    await expect(get({ GetterSource: `${url}/plain.bin`, RelativeDest: '../../..' })).rejects.toThrow('artifact destination path escapes alloc directory');
    await expect(get({ GetterSource: 's3::https://s3.amazonaws.com/bucket/key' })).rejects.toThrow("error downloading 's3::https://s3.amazonaws.com/bucket/key': download not supported for scheme 's3'");
    await expect(get({ GetterSource: `git::${url}/repo.git` })).rejects.toThrow("download not supported for scheme 'git'");
    await expect(get({ GetterSource: `${url}/plain.bin`, GetterOptions: { checksum: 'crc32:00' } })).rejects.toThrow('unsupported checksum type: crc32');
    await expect(get({ GetterSource: `${url}/plain.bin`, GetterMode: 'dir' })).rejects.toThrow(`error downloading '${url}/plain.bin': no source URL was returned`);
    await expect(get({ GetterSource: `${url}/plain.bin?x=1`, GetterOptions: { checksum: `md5:${'0'.repeat(32)}` } })).rejects.toThrow(
      /^Checksums did not match for .*\nExpected: 0{32}\nGot: [0-9a-f]{32}\n\*md5\.digest$/,
    );
    await get({ GetterSource: `${url}/plain.bin`, GetterOptions: { filename: 'renamed.bin' }, RelativeDest: 'local/${NOMAD_TASK_NAME}' });
    expect(readFileSync(join(dirs.localDir, 't', 'renamed.bin'), 'utf8')).toBe('plain');
  });
});
