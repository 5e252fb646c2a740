import type { SerialBus } from './SerialBus.js';

/**
 * Two ends of a simulated serial cable in memory: bytes written to one arrive at the other,
 * on a later microtask as a real line would deliver them. Writes after an end is closed are
 * dropped, as on a cut wire.
 */
export function simSerialPair(): [SerialBus, SerialBus] {
  const listeners: [Set<(bytes: Uint8Array) => void>, Set<(bytes: Uint8Array) => void>] = [new Set(), new Set()];
  const closed = [false, false];
  const end = (self: 0 | 1): SerialBus => {
    const other = self === 0 ? 1 : 0;
    return {
      write(bytes) {
        const copy = Uint8Array.from(bytes);
        queueMicrotask(() => {
          if (closed[self] === true || closed[other] === true) return;
          for (const listener of [...listeners[other]]) listener(copy);
        });
        return Promise.resolve();
      },
      onData(listener) {
        listeners[self].add(listener);
        return () => listeners[self].delete(listener);
      },
      close() {
        closed[self] = true;
        listeners[self].clear();
        return Promise.resolve();
      },
    };
  };
  return [end(0), end(1)];
}
