import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FrameCipher } from './FrameCipher.js';
import { FrameSplitter } from './FrameSplitter.js';

const key = randomBytes(32);
const frame = (pieces: Buffer[]): Buffer => Buffer.concat(pieces);

describe('FrameCipher', () => {
  it('opens what the other direction sealed, frame after frame, in order', () => {
    const sender = new FrameCipher(key);
    const receiver = new FrameCipher(key);
    for (const text of ['one', 'two', '']) {
      const opened = receiver.open(frame(sender.seal('data', Buffer.from(text))));
      expect(opened?.type).toBe('data');
      expect(opened?.payload.toString()).toBe(text);
    }
  });

  it('refuses a frame replayed, skipped, changed anywhere (length, type, clear bytes, ciphertext, tag) or sealed under another key', () => {
    const sender = new FrameCipher(key);
    const first = frame(sender.seal('welcome', Buffer.from([0, 0, 1, 0]), randomBytes(16)));
    const second = frame(sender.seal('data', Buffer.from('second')));
    const receiver = new FrameCipher(key);
    expect(receiver.open(second)).toBeUndefined(); // skipped the first: wrong number
    expect(receiver.open(first)?.type).toBe('welcome');
    expect(receiver.open(first)).toBeUndefined(); // replayed
    for (let at = 0; at < second.length; at++) {
      const changed = Buffer.from(second);
      changed[at]! ^= 0x80;
      expect(new FrameCipher(key).open(changed)).toBeUndefined();
    }
    expect(new FrameCipher(randomBytes(32)).open(second)).toBeUndefined();
  });
});

describe('FrameSplitter', () => {
  it('cuts a stream back into frames wherever its chunks were cut', () => {
    const sender = new FrameCipher(key);
    const frames = ['a', 'bb', 'ccc'.repeat(100)].map((text) => frame(sender.seal('data', Buffer.from(text))));
    const stream = Buffer.concat(frames);
    for (const size of [1, 2, 3, 5, 17, 64, stream.length]) {
      const splitter = new FrameSplitter(1024);
      const got: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) {
        expect(splitter.push(stream.subarray(at, at + size), (f) => got.push(Buffer.from(f)) > 0)).toBe(true);
      }
      expect(got).toEqual(frames);
    }
  });

  it('refuses a length past its limit before buffering the frame', () => {
    const splitter = new FrameSplitter(100);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(101);
    expect(splitter.push(header, () => true)).toBe(false);
  });
});
