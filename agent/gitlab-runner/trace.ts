import type { Logger } from '../common/logger';
import type { JobUpdateParams } from '../../shared/gitlab/entities/runner-protocol';
import type { RunnerApi } from './api';

/**
 * A running job's log on its way to the server: kept whole in memory (with masked variables
 * replaced), sent in appends of what the server does not have yet (`PATCH /jobs/:id/trace` with
 * `Content-Range: <start>-<end>`), resumed where the server says on a 416, and every answer's
 * `Job-Status` passed on so that a cancel is noticed. With nothing new to send, the job is
 * touched with `PUT /jobs/:id` instead, which answers the same header.
 */
export type StatusListener = (status: string) => void;

/** Bytes per append, so no request grows past what the API takes. */
const MAX_PATCH_BYTES = 1024 * 1024;
/** gitlab-runner's default `output_limit` (4096 KB): past it, output is dropped. */
const OUTPUT_LIMIT_BYTES = 4 * 1024 * 1024;

export class JobTrace {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes the server has confirmed. */
  private sent = 0;
  private lastContact = 0;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: RunnerApi,
    private readonly jobId: number,
    private readonly jobToken: string,
    private readonly masked: string[],
    private readonly onStatus: StatusListener,
    private readonly log: Logger,
  ) {}

  write(data: string | Buffer): void {
    let text = typeof data === 'string' ? data : data.toString('utf8');
    for (const secret of this.masked) text = text.split(secret).join('[MASKED]');
    let bytes = Buffer.from(text, 'utf8');
    if (this.size >= OUTPUT_LIMIT_BYTES) return;
    if (this.size + bytes.length > OUTPUT_LIMIT_BYTES) {
      const notice = `\n\x1b[31;1mJob's log exceeded limit of ${OUTPUT_LIMIT_BYTES} bytes.\nJob execution will continue but no more output will be collected.\x1b[0;m\n`;
      bytes = Buffer.concat([bytes.subarray(0, OUTPUT_LIMIT_BYTES - this.size), Buffer.from(notice)]);
    }
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  line(text: string): void {
    this.write(`${text}\n`);
  }

  get bytesize(): number {
    return this.size;
  }

  /** One update round, once `gapMs` passed since the last: the unsent bytes, or a keep-alive. */
  update(gapMs: number): Promise<void> {
    this.sending = this.sending.then(() => this.updateOnce(gapMs)).catch((error: unknown) => this.log.warn(`job ${this.jobId}: log update failed: ${(error as Error).message}`));
    return this.sending;
  }

  /** Sends everything written so far (giving up after a few rounds without progress). */
  async flush(): Promise<void> {
    for (let stalled = 0; stalled < 5 && this.sent < this.size; ) {
      const before = this.sent;
      await this.update(0);
      stalled = this.sent > before ? 0 : stalled + 1;
    }
  }

  private contents(): Buffer {
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all;
  }

  private async updateOnce(gapMs: number): Promise<void> {
    if (Date.now() - this.lastContact < gapMs) return;
    if (this.sent >= this.size) return this.touch();
    const body = this.contents().subarray(this.sent, this.sent + MAX_PATCH_BYTES);
    const response = await this.api.call('PATCH', `/jobs/${this.jobId}/trace`, {
      body: body as Uint8Array<ArrayBuffer>,
      headers: { 'JOB-TOKEN': this.jobToken, 'Content-Range': `${this.sent}-${this.sent + body.length - 1}`, 'Content-Type': 'text/plain' },
    });
    await response.body?.cancel();
    this.lastContact = Date.now();
    const range = /^0-(\d+)$/.exec(response.headers.get('Range') ?? '');
    if (response.status === 202) {
      this.sent = range ? Number(range[1]) : this.sent + body.length;
    } else if (response.status === 416 && range) {
      // The server has another length: resume from there (a shorter log is sent again from it).
      this.sent = Math.min(Number(range[1]), this.size);
    } else if (response.status === 403) {
      this.onStatus(response.headers.get('Job-Status') ?? 'canceled');
      return;
    }
    const status = response.headers.get('Job-Status');
    if (status) this.onStatus(status);
  }

  private async touch(): Promise<void> {
    const update: JobUpdateParams = { token: this.jobToken, state: 'running', output: { bytesize: this.size } };
    const response = await this.api.call('PUT', `/jobs/${this.jobId}`, { json: update });
    await response.body?.cancel();
    this.lastContact = Date.now();
    const status = response.headers.get('Job-Status');
    if (status) this.onStatus(status);
    else if (response.status === 403) this.onStatus('canceled');
  }
}
