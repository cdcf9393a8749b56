import { config } from '../../config';
import { transact, TransactionConflict } from '../../storage/transact';
import { badRequest, forbidden, GitLabError } from '../errors';
import type { ArtifactRecord, JobRecord } from '../records';
import { getJob, updateJob } from '../store/jobs';
import { expireAtFor } from './expire-in';
import { setExpiry } from '../store/artifact-expiry';
import { unchangedSince } from './unchanged';
import { ARTIFACT_FORMATS, FILE_TYPES, isUploadableType } from './file-types';
import { buildMetadata, type ArchiveEntry } from './metadata';
import { artifactKey, siblingKey } from './object-keys';
import { deleteObjects } from '../store/artifact-bucket';
import { putObject } from '../store/bucket-objects';
import { openArchive } from '../store/s3-range-reader';

/**
 * Registering an uploaded file as one of a running job's artifacts. The file is already in the
 * bucket under its final key; this checks the kind and format, lists an archive's entries once
 * into GitLab's `metadata.gz` beside it, and records the artifact on the job with its expiry, in
 * one conditional write on the job still running. Whatever fails leaves no object behind.
 */
export interface ArtifactUpload {
  artifactType: string;
  artifactFormat: string;
  expireIn?: string;
  /** The name the runner gave the file (`artifacts:name`.zip); the kind's default otherwise. */
  filename?: string;
}

export interface StoredFile {
  key: string;
  size: number;
  sha256?: string;
}

const RUNNING = ['running', 'canceling'] as const;

export const tooLarge = () => new GitLabError(413, { message: '413 Request Entity Too Large' });

/** What `authorize` and the upload check before accepting anything. */
export function checkUpload(job: JobRecord, upload: ArtifactUpload): void {
  if (job.erasedAt !== null) throw forbidden('Job has been erased!');
  if (!(RUNNING as readonly string[]).includes(job.status)) throw forbidden('Job is not running', { 'Job-Status': job.status });
  if (!isUploadableType(upload.artifactType)) throw new GitLabError(400, { error: 'artifact_type does not have a valid value' });
  if (!(ARTIFACT_FORMATS as readonly string[]).includes(upload.artifactFormat)) throw new GitLabError(400, { error: 'artifact_format does not have a valid value' });
  if (FILE_TYPES[upload.artifactType]!.format !== upload.artifactFormat) throw badRequest('Validation failed: File format is not supported');
}

/** A final key for an upload of this job. */
export function finalKey(job: JobRecord, uploadId: string, upload: ArtifactUpload): string {
  return artifactKey(job.projectId, job.id, uploadId, safeName(upload.filename ?? FILE_TYPES[upload.artifactType]!.filename));
}

function safeName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  return base === '' || base === '.' || base === '..' ? 'artifact' : base;
}

async function archiveEntries(file: StoredFile): Promise<ArchiveEntry[]> {
  const { zip } = openArchive(file.key, file.size);
  try {
    const entries = await zip.getEntries();
    return entries.map((entry) => ({
      path: entry.filename,
      modified: Math.floor(entry.lastModDate.getTime() / 1000),
      mode: ((entry.unixMode ?? (entry.directory ? 0o755 : 0o644)) & 0o777).toString(8),
      crc: entry.signature ?? 0,
      size: entry.uncompressedSize,
      zipped: entry.compressedSize,
      comment: entry.comment,
    }));
  } catch {
    throw badRequest('Invalid zip archive');
  } finally {
    await zip.close().catch(() => undefined);
  }
}

async function writeMetadata(file: StoredFile): Promise<StoredFile> {
  const body = buildMetadata(await archiveEntries(file));
  const key = siblingKey(file.key, 'metadata.gz');
  await putObject(key, body, { contentType: 'application/gzip' });
  return { key, size: body.length };
}

/**
 * Records `file` on the job (a repeated upload of the same kind and content is ignored, as GitLab
 * does). `known` is the job as the caller authenticated it; it is read again only if it changed.
 */
export async function registerArtifact(known: JobRecord, upload: ArtifactUpload, file: StoredFile): Promise<void> {
  const written = [file.key];
  try {
    if (file.size > config().gitlabArtifacts.maxSizeBytes) throw tooLarge();
    const now = Date.now();
    const expireAt = expireAtFor(upload.expireIn, now, config().gitlabArtifacts.defaultExpireIn);
    const records: ArtifactRecord[] = [
      {
        fileType: upload.artifactType,
        fileFormat: upload.artifactFormat,
        filename: upload.filename ?? FILE_TYPES[upload.artifactType]!.filename,
        size: file.size,
        objectKey: file.key,
        ...(file.sha256 ? { sha256: file.sha256 } : {}),
        expireAt,
      },
    ];
    if (upload.artifactType === 'archive') {
      const metadata = await writeMetadata(file);
      written.push(metadata.key);
      records.push({ fileType: 'metadata', fileFormat: 'gzip', filename: 'metadata.gz', size: metadata.size, objectKey: metadata.key, expireAt });
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const job = attempt === 0 ? known : await getJob(known.id);
      if (!job) throw forbidden();
      checkUpload(job, upload);
      const existing = job.artifacts.find((artifact) => artifact.fileType === upload.artifactType);
      if (existing) {
        if (existing.sha256 !== undefined && existing.sha256 === file.sha256) {
          await deleteObjects(written);
          return;
        }
        throw badRequest('another artifact of the same type already exists');
      }
      try {
        await transact([updateJob(job, { artifacts: [...job.artifacts, ...records], artifactsExpireAt: expireAt }, [...RUNNING], unchangedSince(job)), setExpiry(job.id, expireAt)]);
        return;
      } catch (error) {
        if (!(error instanceof TransactionConflict)) throw error;
      }
    }
    throw new GitLabError(409, { message: '409 Conflict' });
  } catch (error) {
    await deleteObjects(written);
    throw error;
  }
}
