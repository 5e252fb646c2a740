import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, frameMagic, frameType, headerBytes, maxPayload, type FrameEvent } from './serialFrames.js';

const payload = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

function frames(events: FrameEvent[]): { type: number; seq: number; payload: number[] }[] {
  return events.flatMap((e) => (e.kind === 'frame' ? [{ type: e.frame.type, seq: e.frame.seq, payload: [...e.frame.payload] }] : []));
}

describe('serial frames', () => {
  it('decode to what was encoded, however the bytes are cut', () => {
    const sent = [encodeFrame(frameType.hello, 7, payload(44)), encodeFrame(frameType.data, 8, payload(4105)), encodeFrame(frameType.done, 9)];
    const stream = Buffer.concat(sent);
    for (const cut of [1, 2, 3, 15, 16, 17, 1000, stream.length]) {
      const decoder = new FrameDecoder();
      const events: FrameEvent[] = [];
      for (let i = 0; i < stream.length; i += cut) events.push(...decoder.push(stream.subarray(i, i + cut)));
      expect(frames(events)).toEqual([
        { type: frameType.hello, seq: 7, payload: [...payload(44)] },
        { type: frameType.data, seq: 8, payload: [...payload(4105)] },
        { type: frameType.done, seq: 9, payload: [] },
      ]);
      expect(decoder.skippedBytes).toBe(0);
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('skip noise between frames, and count it, even noise that holds the magic', () => {
    const noise = Uint8Array.of(0, 0xff, ...frameMagic, 1, 2, ...frameMagic, 0x55, frameMagic[0] ?? 0);
    const decoder = new FrameDecoder();
    const events = decoder.push(Buffer.concat([noise, encodeFrame(frameType.ack, 1, payload(8)), noise, encodeFrame(frameType.ack, 2, payload(8))]));
    expect(frames(events).map((f) => f.seq)).toEqual([1, 2]);
    expect(decoder.skippedBytes).toBe(2 * noise.length);
  });

  it('resync after a garbled header instead of waiting for the length it claims', () => {
    const bad = encodeFrame(frameType.data, 1, payload(100));
    bad[9] = 0x7f; // the length's second byte: a header CRC failure, not a 32 KB wait
    const decoder = new FrameDecoder();
    const events = decoder.push(Buffer.concat([bad, encodeFrame(frameType.data, 2, payload(10))]));
    expect(frames(events).map((f) => f.seq)).toEqual([2]);
    expect(decoder.corruptFrames).toBe(0);
    expect(decoder.skippedBytes).toBe(bad.length);
  });

  it('report a frame whose payload fails its CRC as corrupt, with its sequence number, and skip it whole', () => {
    const bad = encodeFrame(frameType.data, 41, payload(300));
    bad[headerBytes + 100] = (bad[headerBytes + 100] ?? 0) ^ 0x10;
    const decoder = new FrameDecoder();
    const events = decoder.push(Buffer.concat([bad, encodeFrame(frameType.data, 42, payload(3))]));
    expect(events[0]).toEqual({ kind: 'corrupt', version: 1, type: frameType.data, seq: 41, length: 300 });
    expect(frames(events).map((f) => f.seq)).toEqual([42]);
    expect(decoder.corruptFrames).toBe(1);
  });

  it('drop a partial frame on request, so the next frame is not read as its rest', () => {
    const decoder = new FrameDecoder();
    const cut = encodeFrame(frameType.data, 1, payload(2000)).subarray(0, 700);
    expect(decoder.push(cut)).toEqual([]);
    expect(decoder.pendingBytes).toBe(700);
    decoder.discardPartial();
    expect(frames(decoder.push(encodeFrame(frameType.hello, 2, payload(44)))).map((f) => f.seq)).toEqual([2]);
    expect(decoder.skippedBytes).toBe(700);
  });

  it('refuse to encode more than the largest payload', () => {
    expect(() => encodeFrame(frameType.data, 1, new Uint8Array(maxPayload + 1))).toThrow(RangeError);
  });
});
