import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { attachment, contentTypeOf } from '../../../shared/gitlab/artifacts/download';
import { artifactEntryPath } from '../../../shared/gitlab/artifacts/entry-path';
import { expireAtFor, isExpired } from '../../../shared/gitlab/artifacts/expire-in';
import { reportFormat, isUploadableType } from '../../../shared/gitlab/artifacts/file-types';
import { buildMetadata, readMetadata } from '../../../shared/gitlab/artifacts/metadata';
import { artifactTree, directoryPrefix } from '../../../shared/gitlab/artifacts/tree';
import { extractedEntryKey, siblingKey } from '../../../shared/gitlab/artifacts/object-keys';
import { partSize } from '../../../shared/gitlab/artifacts/upload';

const MiB = 1024 * 1024;

describe('artifact paths', () => {
  it('decodes once and keeps ordinary paths', () => {
    expect(artifactEntryPath('out%2Freport.txt')).toBe('out/report.txt');
    expect(artifactEntryPath('some/release/file.pdf')).toBe('some/release/file.pdf');
    expect(artifactEntryPath('na%20me%25.txt')).toBe('na me%.txt');
  });

  it.each(['..%2Fx', 'a/../b', 'a/./b', '.', '%2Fetc%2Fpasswd', 'a%5Cb', 'a%00b', '%E0%A4%A', '', 'C:%5Cx'])('refuses %s with 400', (path) => {
    expect(() => artifactEntryPath(path)).toThrow(expect.objectContaining({ status: 400, body: { message: '400 Bad request' } }));
  });
});

describe('expire_in', () => {
  const now = 1_000_000;
  it('parses GitLab durations, never, and the default', () => {
    expect(expireAtFor('1 week', now, '30 days')).toBe(now + 7 * 24 * 3600_000);
    expect(expireAtFor('2 hrs 30 mins', now, '30 days')).toBe(now + 9000_000);
    expect(expireAtFor('never', now, '30 days')).toBeNull();
    expect(expireAtFor(undefined, now, '30 days')).toBe(now + 30 * 24 * 3600_000);
    expect(expireAtFor(undefined, now, 'never')).toBeNull();
    expect(expireAtFor('', now, '0')).toBeNull();
    expect(() => expireAtFor('soonish', now, '30 days')).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('counts locked artifacts as never expired', () => {
    expect(isExpired(now - 1, false, now)).toBe(true);
    expect(isExpired(now - 1, true, now)).toBe(false);
    expect(isExpired(null, false, now)).toBe(false);
  });
});

describe('file types and parts', () => {
  it('knows GitLab’s formats, and which kinds a runner may upload', () => {
    expect(reportFormat('junit')).toBe('gzip');
    expect(reportFormat('codequality')).toBe('raw');
    expect(isUploadableType('archive')).toBe(true);
    expect(isUploadableType('metadata')).toBe(false);
    expect(isUploadableType('trace')).toBe(false);
    expect(isUploadableType('nonsense')).toBe(false);
  });

  it('cuts multipart uploads in at most 100 parts of at least 5 MiB', () => {
    expect(partSize(1)).toBe(5 * MiB);
    expect(partSize(100 * MiB)).toBe(5 * MiB);
    expect(partSize(1000 * MiB)).toBe(10 * MiB);
    expect(Math.ceil((5000 * MiB) / partSize(5000 * MiB))).toBeLessThanOrEqual(100);
  });
});

describe('metadata.gz', () => {
  it('writes the version, the errors object and one path and JSON line per entry, length-prefixed', () => {
    const data = gunzipSync(buildMetadata([{ path: 'out/a.txt', modified: 1700000000, mode: '644', crc: 123, size: 5, zipped: 7, comment: '' }]));
    const strings: string[] = [];
    for (let offset = 0; offset < data.length; ) {
      const length = data.readUInt32BE(offset);
      strings.push(data.subarray(offset + 4, offset + 4 + length).toString());
      offset += 4 + length;
    }
    expect(data.subarray(0, 4).toString('latin1')).toBe('\x00\x00\x00&');
    expect(strings).toEqual(['GitLab Build Artifacts Metadata 0.0.2\n', '{}', 'out/a.txt', '{"modified":1700000000,"mode":"644","crc":123,"size":5,"zipped":7}\n']);
  });
});

describe('download headers and keys', () => {
  it('writes GitLab’s attachment disposition, safe for any name', () => {
    expect(attachment('artifacts.zip')).toBe(`attachment; filename="artifacts.zip"; filename*=UTF-8''artifacts.zip`);
    expect(attachment('a"b.txt')).toBe(`attachment; filename="a\\"b.txt"; filename*=UTF-8''a%22b.txt`);
    expect(attachment('é.txt')).toBe(`attachment; filename="_.txt"; filename*=UTF-8''%C3%A9.txt`);
  });

  it('types files by extension', () => {
    expect(contentTypeOf('report.pdf')).toBe('application/pdf');
    expect(contentTypeOf('Makefile')).toBe('application/octet-stream');
  });

  it('keeps metadata and extracted entries beside their archive', () => {
    const archive = 'artifacts/gitlab/1/2/u/artifacts.zip';
    expect(siblingKey(archive, 'metadata.gz')).toBe('artifacts/gitlab/1/2/u/metadata.gz');
    expect(extractedEntryKey(archive, 'out/a.txt')).toMatch(/^artifacts\/gitlab\/1\/2\/u\/entries\/[0-9a-f]{40}$/);
  });
});

describe('the artifacts tree', () => {
  const entry = (path: string, size = 0, mode = path.endsWith('/') ? '755' : '644') => ({ path, modified: 0, mode, crc: 0, size, zipped: size, comment: '' });
  const entries = readMetadata(buildMetadata([entry('out/'), entry('out/b.txt', 3), entry('out/a/deep/x.bin', 7, '600'), entry('top.log', 1)]));

  it('reads back what metadata.gz holds', () => {
    expect(entries.map((listed) => [listed.path, listed.mode, listed.size])).toEqual([
      ['out/', '755', 0],
      ['out/b.txt', '644', 3],
      ['out/a/deep/x.bin', '600', 7],
      ['top.log', '644', 1],
    ]);
  });

  it('lists one level, folders first, with the folders only implied by paths', () => {
    expect(artifactTree(entries, '', false)).toEqual([
      { name: 'out', path: 'out/', type: 'directory', mode: '040755' },
      { name: 'top.log', path: 'top.log', type: 'file', size: 1, mode: '100644' },
    ]);
    expect(artifactTree(entries, directoryPrefix('./out/'), false)?.map((listed) => listed.path)).toEqual(['out/a/', 'out/b.txt']);
    expect(artifactTree(entries, directoryPrefix('out/a'), true)).toEqual([
      { name: 'deep', path: 'out/a/deep/', type: 'directory', mode: '040755' },
      { name: 'x.bin', path: 'out/a/deep/x.bin', type: 'file', size: 7, mode: '100600' },
    ]);
  });

  it('knows no folder that is not there, nor a file as a folder', () => {
    expect(artifactTree(entries, directoryPrefix('nowhere'), false)).toBeUndefined();
    expect(artifactTree(entries, directoryPrefix('top.log'), false)).toBeUndefined();
  });
});
