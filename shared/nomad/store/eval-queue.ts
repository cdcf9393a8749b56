import { createHash } from 'node:crypto';
import { serviceLogger } from '../../observability/logger';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../../aws/clients';
import { config } from '../../config';
import type { Evaluation } from '../structs/evaluation';
import type { EvalMessage } from '../wire/eval-message';
import { quarantineEval } from '../worker/quarantine';

/**
 * Puts evaluations on the FIFO queue. One message group per job gives Nomad's broker guarantee
 * that a job has at most one evaluation in flight. The deduplication ID includes the evaluation's
 * ModifyIndex, so sending the same unchanged evaluation twice within SQS's five-minute window is
 * harmless, while an evaluation that changed (say, unblocked) goes out again.
 *
 * Evaluations are always written to DynamoDB (as pending) before they are sent; if the send is
 * lost, the periodic duties find them pending and send them again.
 *
 * Woken blocked evaluations go to a queue of their own (the `wake` lane, WAKE_QUEUE_URL) which
 * the worker serves with its own bounded concurrency, after fresh work: a node that wakes a
 * thousand evaluations never puts them ahead of a job registered a moment later.
 */
const logger = serviceLogger('nomad-api');

/** SQS's limit on one message, and on one batch of them. */
const MAX_BATCH_BYTES = 256 * 1024;
const MAX_BATCH_ENTRIES = 10;

/** Group and deduplication IDs take 1–128 printable ASCII characters; anything else is hashed. */
function sqsId(id: string): string {
  return id.length <= 128 && /^[\x21-\x7e]+$/.test(id) ? id : createHash('sha256').update(id).digest('hex');
}

function messageGroupId(evaluation: Evaluation): string {
  return sqsId(`${evaluation.Namespace}/${evaluation.JobID}`);
}

/**
 * JSON with every non-ASCII character escaped (`\uXXXX`, which JSON.parse reads back the same): SQS
 * refuses message bodies with characters outside its ranges, which IDs stored by older versions
 * (NUL, lone surrogates) or emoji (in the local stand-in) would otherwise bring in.
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The message for an evaluation; without the carried copy when that would not fit, or when it is
 * sent again (the worker then reads it): the first message may still be queued, and the worker
 * trusts a pending copy, so a re-sent copy would run in full an evaluation already finished, and a
 * sweep that re-sends a backlog every tick would then keep the worker busy with nothing but that.
 */
function messageBody(evaluation: Evaluation, resend: boolean): string {
  const ids = { EvalID: evaluation.ID, Namespace: evaluation.Namespace, JobID: evaluation.JobID };
  if (resend) return asciiJson(ids satisfies EvalMessage);
  const full = asciiJson({ ...ids, Eval: evaluation } satisfies EvalMessage);
  return full.length <= MAX_BATCH_BYTES / MAX_BATCH_ENTRIES ? full : asciiJson(ids satisfies EvalMessage);
}

interface Entry {
  evaluation: Evaluation;
  body: string;
}

/** Batches of at most ten messages and 256 KiB. */
function batchesOf(entries: Entry[]): Entry[][] {
  const batches: Entry[][] = [];
  let current: Entry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && bytes + entry.body.length > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.body.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * `resend` marks a deliberate second send of an unchanged evaluation (the periodic sweep), which
 * must not be swallowed by deduplication of the first; the worker is idempotent either way.
 *
 * An evaluation SQS refuses for good (the sender's fault: its content, its size) would be refused
 * on every later try, so it is quarantined (failed, with SQS's reason) rather than left pending for
 * the sweep to send forever. What fails for other reasons is thrown, after every batch was tried,
 * and stays pending for the sweep.
 */
export async function enqueueEvals(evaluations: Evaluation[], resend?: string, lane: 'fresh' | 'wake' = 'fresh'): Promise<void> {
  const queueUrl = (lane === 'wake' && config().wakeQueueUrl) || config().evalQueueUrl;
  const errors: string[] = [];
  const entries: Entry[] = [];
  for (const evaluation of evaluations) {
    const body = messageBody(evaluation, resend !== undefined);
    if (body.length <= MAX_BATCH_BYTES) entries.push({ evaluation, body });
    else await quarantineEval(evaluation, `evaluation could not be queued: its message of ${body.length} bytes exceeds SQS's limit of ${MAX_BATCH_BYTES}`);
  }
  for (const batch of batchesOf(entries)) {
    let failed;
    try {
      failed = (
        await sqs().send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map(({ evaluation, body }, i) => ({
              Id: String(i),
              MessageBody: body,
              MessageGroupId: messageGroupId(evaluation),
              MessageDeduplicationId: sqsId(`${evaluation.ID}-${evaluation.ModifyIndex}${resend ? `-${resend}` : ''}`),
            })),
          }),
        )
      ).Failed;
    } catch (error) {
      errors.push((error as Error).message);
      continue;
    }
    for (const failure of failed ?? []) {
      const { evaluation } = batch[Number(failure.Id)];
      if (failure.SenderFault) await quarantineEval(evaluation, `evaluation could not be queued: ${failure.Message ?? failure.Code}`);
      else errors.push(failure.Message ?? failure.Code ?? 'unknown error');
    }
  }
  if (errors.length > 0) throw new Error(`could not enqueue evaluations: ${[...new Set(errors)].join('; ')}`);
}

/**
 * Queues evaluations just written as pending. A send that fails is logged, not thrown: the write
 * that created them has committed, and the periodic sweep sends what stays pending.
 */
export async function queueNewEvals(evaluations: Evaluation[]): Promise<void> {
  if (evaluations.length === 0) return;
  await enqueueEvals(evaluations).catch((error) =>
    logger.warn('evaluations stored but not queued; the periodic sweep will queue them', { evalIds: evaluations.map((evaluation) => evaluation.ID), error }),
  );
}
