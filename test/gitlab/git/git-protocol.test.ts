import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPackEnvelope } from '../../../shared/gitlab/git/pack-check';
import { lineOf, pkt, PktLineError, readPackets, sideBand } from '../../../shared/gitlab/git/pkt-line';
import { isHiddenRef, isValidRefName } from '../../../shared/gitlab/git/ref-names';

describe('pkt-line', () => {
  it('frames payloads with their total length and reads them back with flush and delim', () => {
    expect(pkt('hello\n').toString()).toBe('000ahello\n');
    const { packets, offset } = readPackets(Buffer.from('000ahello\n00010000rest'), 0, true);
    expect(packets.map((packet) => packet.kind)).toEqual(['data', 'delim', 'flush']);
    expect(lineOf(packets[0])).toBe('hello');
    expect(offset).toBe(18);
  });

  it('refuses bad lengths and truncated packets', () => {
    expect(() => readPackets(Buffer.from('zzzz'))).toThrow(PktLineError);
    expect(() => readPackets(Buffer.from('0003'))).toThrow(PktLineError);
    expect(() => readPackets(Buffer.from('0010short'))).toThrow(PktLineError);
  });

  it('splits side-band data into packets of the channel', () => {
    const packets = sideBand(1, Buffer.alloc(2500, 7), 999);
    expect(packets.map((packet) => packet.length)).toEqual([1004, 1004, 507]);
    expect(packets.every((packet) => packet[4] === 1)).toBe(true);
  });
});

describe('ref names', () => {
  it('follows git check-ref-format', () => {
    for (const good of ['refs/heads/main', 'refs/heads/feature/x-1.2', 'refs/tags/v1.0.0', 'refs/heads/ü']) expect(isValidRefName(good), good).toBe(true);
    for (const bad of ['main', 'refs/heads/a..b', 'refs/heads/.hidden', 'refs/heads/x.lock', 'refs/heads/a b', 'refs/heads/a~1', 'refs/heads/a^', 'refs/heads/a:b', 'refs/heads/a?', 'refs/heads/a*', 'refs/heads/a[', 'refs/heads/a\\b', 'refs/heads/a@{1}', 'refs/heads/', '/refs/heads/a', 'refs//heads', 'refs/heads/a.', '@', 'refs/heads/\x01']) {
      expect(isValidRefName(bad), bad).toBe(false);
    }
    expect(isHiddenRef('refs/pipelines/12')).toBe(true);
    expect(isHiddenRef('refs/heads/pipelines')).toBe(false);
  });
});

describe('pack envelope', () => {
  const pack = (body: Buffer) => Buffer.concat([body, createHash('sha1').update(body).digest()]);
  const header = Buffer.from('5041434b0000000200000003', 'hex');

  it('names a pack by its trailer and reads its object count', () => {
    const whole = pack(Buffer.concat([header, Buffer.alloc(10)]));
    expect(checkPackEnvelope(whole)).toEqual({ objects: 3, name: `pack-${whole.subarray(-20).toString('hex')}` });
  });

  it('refuses a truncated pack, a bad signature and an unknown version', () => {
    const whole = pack(Buffer.concat([header, Buffer.alloc(10)]));
    expect(checkPackEnvelope(whole.subarray(0, whole.length - 1))).toEqual({ error: expect.stringContaining('checksum') });
    expect(checkPackEnvelope(pack(Buffer.concat([Buffer.from('JUNK'), header.subarray(4), Buffer.alloc(10)])))).toEqual({ error: 'bad pack header' });
    expect(checkPackEnvelope(pack(Buffer.concat([Buffer.from('5041434b0000000900000003', 'hex'), Buffer.alloc(10)])))).toEqual({ error: 'unknown pack version 9' });
  });
});
