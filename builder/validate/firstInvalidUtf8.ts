/** The first byte that does not start a well-formed UTF-8 sequence, with its line and column. */
export function firstInvalidUtf8(bytes: Uint8Array): { offset: number; line: number; column: number } {
  let i = 0;
  while (i < bytes.length) {
    const length = wellFormedLength(bytes, i);
    if (length === 0) break;
    i += length;
  }
  let line = 1;
  let lineStart = 0;
  for (let j = 0; j < i; j++) {
    if (bytes[j] === 0x0a) {
      line++;
      lineStart = j + 1;
    }
  }
  const column = new TextDecoder().decode(bytes.subarray(lineStart, i)).length + 1;
  return { offset: i, line, column };
}

/** Length of the well-formed sequence at `at` (RFC 3629 table 3-7), or 0 when there is none. */
function wellFormedLength(bytes: Uint8Array, at: number): number {
  const b0 = bytes[at] ?? 0;
  if (b0 < 0x80) return 1;
  const inRange = (k: number, lo: number, hi: number): boolean => {
    const b = bytes[at + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return inRange(1, 0x80, 0xbf) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const [lo, hi] = b0 === 0xe0 ? [0xa0, 0xbf] : b0 === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return inRange(1, lo, hi) && inRange(2, 0x80, 0xbf) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const [lo, hi] = b0 === 0xf0 ? [0x90, 0xbf] : b0 === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return inRange(1, lo, hi) && inRange(2, 0x80, 0xbf) && inRange(3, 0x80, 0xbf) ? 4 : 0;
  }
  return 0;
}
