/**
 * Reading one 1 KB file out of a 50 MB, 2,000-entry artifacts archive in S3 (the local s3rver):
 * bytes fetched and time through the ranged-GET zip reader that serves
 * `GET /projects/:id/jobs/:job_id/artifacts/*artifact_path`, against downloading the whole
 * archive and reading the file from it, measured in the same run. Goal: under 1% of the bytes.
 *
 *   npm run bench -- artifacts
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BlobWriter, Uint8ArrayReader, Uint8ArrayWriter, ZipReader, ZipWriter, type FileEntry } from '@zip.js/zip.js';
import { s3 } from '../shared/aws/clients';
import { config } from '../shared/config';
import { findEntry, openArchive } from '../shared/gitlab/store/s3-range-reader';
import { benchStack } from './stack';
import { median } from './median';

const ENTRIES = 2_000;
const ARCHIVE_BYTES = 50 * 1024 * 1024;
const TARGET = 'reports/part-1000/summary.txt';
const ROUNDS = 5;

const stack = await benchStack();
try {
  // Random bytes do not compress, so the archive is as large as its content: 2,000 entries of ~25 KB.
  const writer = new ZipWriter(new BlobWriter('application/zip'), { useWebWorkers: false, level: 0 });
  const each = Math.floor(ARCHIVE_BYTES / ENTRIES);
  const expected = randomBytes(1024);
  for (let i = 0; i < ENTRIES; i++) {
    const name = i === 1000 ? TARGET : `build/out/file-${String(i).padStart(4, '0')}.bin`;
    await writer.add(name, new Uint8ArrayReader(i === 1000 ? expected : randomBytes(each)));
  }
  const archive = new Uint8Array(await (await writer.close()).arrayBuffer());
  const key = 'artifacts/gitlab/bench/1/archive/artifacts.zip';
  await s3().send(new PutObjectCommand({ Bucket: config().bucketName, Key: key, Body: archive }));
  console.log(`archive: ${(archive.length / 1024 / 1024).toFixed(1)} MiB, ${ENTRIES} entries; reading ${TARGET} (1 KiB)`);

  const ranged: { ms: number; bytes: number; requests: number }[] = [];
  const whole: { ms: number; bytes: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let started = performance.now();
    const { reader, zip } = openArchive(key, archive.length);
    const entry = (await findEntry(zip, TARGET)) as FileEntry;
    const data = await entry.getData(new Uint8ArrayWriter());
    ranged.push({ ms: performance.now() - started, bytes: reader.bytesFetched, requests: reader.requests });
    if (Buffer.compare(Buffer.from(data), expected) !== 0) throw new Error('ranged read returned other bytes');

    started = performance.now();
    const object = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: key }));
    const bytes = await object.Body!.transformToByteArray();
    const local = new ZipReader(new Uint8ArrayReader(bytes), { useWebWorkers: false });
    const found = (await findEntry(local, TARGET)) as FileEntry;
    const again = await found.getData(new Uint8ArrayWriter());
    whole.push({ ms: performance.now() - started, bytes: bytes.length });
    if (Buffer.compare(Buffer.from(again), expected) !== 0) throw new Error('whole read returned other bytes');
  }
  const rangedBytes = median(ranged.map((run) => run.bytes));
  const wholeBytes = median(whole.map((run) => run.bytes));
  const rangedMs = median(ranged.map((run) => run.ms));
  const wholeMs = median(whole.map((run) => run.ms));
  console.log(`ranged GETs:     ${(rangedBytes / 1024).toFixed(1)} KiB in ${median(ranged.map((run) => run.requests))} requests, ${rangedMs.toFixed(1)} ms (median of ${ROUNDS})`);
  console.log(`whole archive:   ${(wholeBytes / 1024 / 1024).toFixed(1)} MiB, ${wholeMs.toFixed(1)} ms`);
  console.log(`figure: bytes fetched ${((rangedBytes / wholeBytes) * 100).toFixed(2)}% of the whole archive (goal < 1%); time ${(rangedMs / wholeMs).toFixed(3)}× (${(wholeMs / rangedMs).toFixed(1)} times faster)`);
} finally {
  await stack.stop();
}
