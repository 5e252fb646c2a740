import type { Readable } from 'node:stream';

/** Calls `line` with each whole line a child's output stream writes, however it is chunked. */
export function onLines(stream: Readable, line: (text: string) => void): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      line(text);
    }
  });
}
