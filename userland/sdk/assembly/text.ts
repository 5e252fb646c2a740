// Strings cross the ABI as UTF-8 (pointer, length) in linear memory. Text coming back from
// the host lands in one scratch buffer that grows when the host says the text is longer:
// config and presence are read far more often than they are large.

let scratch = new ArrayBuffer(128);

/** The UTF-8 bytes of a string, to pass with `changetype<usize>(bytes)` and `bytes.byteLength`. */
export function utf8(text: string): ArrayBuffer {
  return String.UTF8.encode(text);
}

export function scratchPtr(): usize {
  return changetype<usize>(scratch);
}

export function scratchCap(): i32 {
  return scratch.byteLength;
}

/** Grows the scratch buffer to `length` bytes when it is smaller; true when it grew (call the host again). */
export function growScratch(length: i32): bool {
  if (length <= scratch.byteLength) return false;
  scratch = new ArrayBuffer(length);
  return true;
}

/** The first `length` bytes of the scratch buffer, as a string. */
export function scratchText(length: i32): string {
  return String.UTF8.decodeUnsafe(changetype<usize>(scratch), <usize>length);
}
