import type { Logger } from '../common/logger';
import type { RunnerApi } from './api';

/**
 * A running job's log on its way to the server: kept whole in memory (with masked variables
 * replaced), sent in appends of what the server does not have yet (`PATCH /jobs/:id/trace` with
 * `Content-Range: <start>-<end>`), resumed where the server says on a 416, and every answer's
 * `Job-Status` passed on so that a cancel is noticed. With nothing new to send, the job is
 * touched with `PUT /jobs/:id` instead, which answers the same header.
 */
export type StatusListener = (status: string) => void;

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
    const bytes = Buffer.from(text, 'utf8');
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

  /** Sends everything written so far (a few tries). */
  async flush(): Promise<void> {
    for (let attempt = 0; attempt < 5 && this.sent < this.size; attempt++) await this.update(0);
  }

  private contents(): Buffer {
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all;
  }

  private async updateOnce(gapMs: number): Promise<void> {
    if (Date.now() - this.lastContact < gapMs) return;
    if (this.sent >= this.size) return this.touch();
    const body = this.contents().subarray(this.sent);
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
    const response = await this.api.call('PUT', `/jobs/${this.jobId}`, { json: { token: this.jobToken, state: 'running', output: { bytesize: this.size } } });
    await response.body?.cancel();
    this.lastContact = Date.now();
    const status = response.headers.get('Job-Status');
    if (status) this.onStatus(status);
    else if (response.status === 403) this.onStatus('canceled');
  }
}
