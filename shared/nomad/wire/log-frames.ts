/**
 * Nomad's log stream framing (its StreamFramer): JSON frames `{Offset, Data, File, FileEvent}`
 * with Data base64 and empty fields left out, at most 64 KiB of data each, written back to back;
 * an empty frame `{}` is a heartbeat. With `plain=true` the bytes are sent as they are. Pure.
 */
export const FRAME_BYTES = 64 * 1024;

export function logFileName(task: string, type: string): string {
  return `alloc/logs/${task}.${type}.0`;
}

/** Frames for `data` that ends at byte `endOffset` of the file. Offset is where each frame's data ends, as Nomad sends it. */
export function logFrames(data: Uint8Array, endOffset: number, file: string): string[] {
  const frames: string[] = [];
  const start = endOffset - data.length;
  for (let at = 0; at < data.length; at += FRAME_BYTES) {
    const piece = data.subarray(at, Math.min(data.length, at + FRAME_BYTES));
    frames.push(JSON.stringify({ Offset: start + at + piece.length, Data: Buffer.from(piece).toString('base64'), File: file }));
  }
  return frames;
}

export const HEARTBEAT_FRAME = '{}';
