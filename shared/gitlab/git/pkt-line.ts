/**
 * Git's pkt-line framing (gitprotocol-common) and side-band multiplexing: four hex digits of total
 * length, then the payload; `0000` flush, `0001` delim, `0002` response-end.
 */
export const FLUSH = Buffer.from('0000');
export const DELIM = Buffer.from('0001');

/** The largest payload of one packet (65520 bytes in total). */
export const MAX_PAYLOAD = 65516;

export function pkt(payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (data.length > MAX_PAYLOAD) throw new Error(`pkt-line payload of ${data.length} bytes`);
  return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, '0')), data]);
}

export type Packet = { kind: 'data'; data: Buffer } | { kind: 'flush' } | { kind: 'delim' } | { kind: 'end' };

export class PktLineError extends Error {}

/**
 * Reads packets from `buffer` starting at `offset` until `stopAtFlush` sees a flush (inclusive)
 * or the buffer ends. Returns the packets and where reading stopped, so a caller can find raw data
 * (a receive-pack's PACK) that follows the commands.
 */
export function readPackets(buffer: Buffer, offset = 0, stopAtFlush = false): { packets: Packet[]; offset: number } {
  const packets: Packet[] = [];
  while (offset < buffer.length) {
    if (offset + 4 > buffer.length) throw new PktLineError('truncated pkt-line length');
    const header = buffer.toString('latin1', offset, offset + 4);
    if (!/^[0-9a-f]{4}$/i.test(header)) throw new PktLineError(`bad pkt-line length ${JSON.stringify(header)}`);
    const length = parseInt(header, 16);
    if (length === 0) {
      packets.push({ kind: 'flush' });
      offset += 4;
      if (stopAtFlush) break;
      continue;
    }
    if (length === 1 || length === 2) {
      packets.push({ kind: length === 1 ? 'delim' : 'end' });
      offset += 4;
      continue;
    }
    if (length < 4) throw new PktLineError(`bad pkt-line length ${length}`);
    if (offset + length > buffer.length) throw new PktLineError('truncated pkt-line');
    packets.push({ kind: 'data', data: buffer.subarray(offset + 4, offset + length) });
    offset += length;
  }
  return { packets, offset };
}

/** A data packet's payload as text without its trailing newline. */
export function lineOf(packet: Packet): string | undefined {
  if (packet.kind !== 'data') return undefined;
  const text = packet.data.toString('utf8');
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

export const SIDE_BAND = { data: 1, progress: 2, error: 3 } as const;

/** `data` split into side-band packets of channel `channel`, each at most `max` bytes of data. */
export function sideBand(channel: number, data: Buffer, max = MAX_PAYLOAD - 1): Buffer[] {
  const packets: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += max) {
    packets.push(pkt(Buffer.concat([Buffer.from([channel]), data.subarray(offset, offset + max)])));
  }
  return packets;
}
