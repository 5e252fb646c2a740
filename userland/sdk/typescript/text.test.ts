import { describe, expect, it } from 'vitest';
import { decodeUtf8, encodeUtf8 } from './text.js';

const reference = new TextDecoder('utf-8');
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

// A small deterministic generator: the same "random" bytes on every run.
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state >>> 24;
  };
}

describe('decodeUtf8', () => {
  it('decodes one- to four-byte characters as TextDecoder does', () => {
    const text = 'Salle Éole — café 🌿 日本 x';
    expect(decodeUtf8(new TextEncoder().encode(text))).toBe(text);
    expect(decodeUtf8(bytes())).toBe('');
  });

  it('replaces malformed sequences one maximal part at a time, as TextDecoder does', () => {
    const cases = [
      bytes(0x80), // a continuation with no lead
      bytes(0xc0, 0xaf), // overlong
      bytes(0xe0, 0x80, 0xaf), // overlong, three bytes
      bytes(0xed, 0xa0, 0x80), // a surrogate
      bytes(0xf4, 0x90, 0x80, 0x80), // past U+10FFFF
      bytes(0xf0, 0x9f, 0x8c), // cut short at the end
      bytes(0xe2, 0x82, 0x41), // cut short by an ASCII byte
      bytes(0xff, 0xfe, 0x41),
      bytes(0x61, 0xf0, 0x9f, 0x8c, 0xbf, 0xc3),
    ];
    for (const input of cases) expect(decodeUtf8(input), [...input].map((b) => b.toString(16)).join(' ')).toBe(reference.decode(input));
  });

  it('agrees with TextDecoder on random bytes, and on text longer than one chunk of code units', () => {
    const next = generator(42);
    for (let round = 0; round < 200; round++) {
      const input = Uint8Array.from({ length: 1 + (next() % 64) }, () => (next() < 96 ? 0xe0 | (next() & 0x1f) : next()));
      expect(decodeUtf8(input)).toBe(reference.decode(input));
    }
    const long = '€🌿a'.repeat(5000);
    expect(decodeUtf8(new TextEncoder().encode(long))).toBe(long);
  });
});

describe('encodeUtf8', () => {
  it('encodes as TextEncoder does, a lone surrogate as U+FFFD', () => {
    for (const text of ['', 'plain', 'Éole — 🌿 日本', '\ud800x', 'x\udc00', '\ud83c']) {
      expect([...encodeUtf8(text)]).toEqual([...new TextEncoder().encode(text)]);
    }
  });
});
