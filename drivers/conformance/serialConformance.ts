import { describe, expect, it } from 'vitest';
import type { Serial } from '../serial/Serial.js';
import type { SerialBus } from '../serial/SerialBus.js';

/** A serial driver under test, and the far end of its line. */
export interface SerialRig {
  readonly driver: Serial;
  /** The peripheral's end of the wire. */
  readonly peer: SerialBus;
  /** Frees what the harness made (a pty, a process); the driver may already be closed. */
  dispose(): Promise<void>;
}

export interface SerialHarness {
  readonly name: string;
  open(): Promise<SerialRig>;
}

/** Resolves with the first `count` bytes `subscribe` delivers, however they are chunked. */
export function collectBytes(subscribe: (listener: (bytes: Uint8Array) => void) => () => void, count: number): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const got = new Uint8Array(count);
    let filled = 0;
    const stop = subscribe((bytes) => {
      got.set(bytes.subarray(0, count - filled), filled);
      filled += Math.min(bytes.length, count - filled);
      if (filled === count) {
        stop();
        resolve(got);
      }
    });
  });
}

/** Registers the serial conformance tests for one driver+backend pair. */
export function serialConformance(harness: SerialHarness): void {
  describe(`serial conformance: ${harness.name}`, () => {
    const withRig = async (body: (rig: SerialRig) => Promise<void>): Promise<void> => {
      const rig = await harness.open();
      try {
        await body(rig);
      } finally {
        await rig.driver.close();
        await rig.dispose();
      }
    };

    it('carries bytes both ways, in order', () =>
      withRig(async ({ driver, peer }) => {
        const atPeer = collectBytes((l) => peer.onData(l), 5);
        await driver.write(new TextEncoder().encode('hello'));
        expect(new TextDecoder().decode(await atPeer)).toBe('hello');
        const atDriver = collectBytes((l) => driver.onData(l), 3);
        await peer.write(Uint8Array.of(0, 255, 10));
        expect([...(await atDriver)]).toEqual([0, 255, 10]);
      }));

    it('delivers a large write whole and in order', () =>
      withRig(async ({ driver, peer }) => {
        const data = Uint8Array.from({ length: 65536 }, (_, i) => (i * 7) & 0xff);
        const atPeer = collectBytes((l) => peer.onData(l), data.length);
        await driver.write(data);
        expect(Buffer.compare(await atPeer, data)).toBe(0);
      }));

    it('stops calling a listener once it is stopped', () =>
      withRig(async ({ driver, peer }) => {
        const stale: Uint8Array[] = [];
        const stop = driver.onData((bytes) => stale.push(bytes));
        stop();
        const fresh = collectBytes((l) => driver.onData(l), 2);
        await peer.write(Uint8Array.of(1, 2));
        expect([...(await fresh)]).toEqual([1, 2]);
        expect(stale).toEqual([]);
      }));

    it('refuses bytes that are not a Uint8Array', () =>
      withRig(async ({ driver }) => {
        await expect(driver.write('text' as unknown as Uint8Array)).rejects.toMatchObject({ code: 'driver.bad-frame' });
      }));

    it('refuses every call after close, and closing twice is harmless', () =>
      withRig(async ({ driver }) => {
        await driver.close();
        await driver.close();
        await expect(driver.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'driver.closed' });
        expect(() => driver.onData(() => undefined)).toThrow(expect.objectContaining({ code: 'driver.closed' }));
      }));
  });
}
