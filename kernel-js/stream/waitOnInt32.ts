type WaitAsync = (
  typedArray: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

// Node.js 20 has Atomics.waitAsync, but its type is in TypeScript's ES2024 library, which the
// project's ES2023 target does not load.
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/**
 * Waits, without blocking the thread, until another thread (or this one) notifies the word at
 * `index` or `timeoutMs` passes; at once when the word no longer holds `value`. The one place
 * that reaches for Atomics.waitAsync, so that its untyped access stays in one line.
 */
export async function waitOnInt32(words: Int32Array, index: number, value: number, timeoutMs: number): Promise<'ok' | 'not-equal' | 'timed-out'> {
  const result = waitAsync(words, index, value, timeoutMs);
  return result.async ? await result.value : result.value;
}
