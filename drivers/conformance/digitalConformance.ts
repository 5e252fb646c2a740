import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Digital, Level } from '../digital/Digital.js';

/** Input options the suite exercises; a harness passes them to its driver. */
export interface DigitalInputOptions {
  readonly debounceMs?: number;
  readonly edge?: 'rising' | 'falling' | 'both';
  readonly activeLow?: boolean;
  readonly pull?: 'up' | 'down' | 'none';
}

/** An input under test and the wire it sits on. */
export interface DigitalInputRig {
  readonly driver: Digital;
  /** Sets the raw (electrical) level on the wire, as a button or a test clip would. */
  drive(raw: Level): void;
}

/** An output under test and a probe on its wire. */
export interface DigitalOutputRig {
  readonly driver: Digital;
  /** The raw (electrical) level on the wire now. */
  probe(): Level;
}

/** How the suite opens a driver of the digital class on one backend. */
export interface DigitalHarness {
  readonly name: string;
  input(options: DigitalInputOptions): DigitalInputRig;
  output(options: { readonly initial?: Level; readonly activeLow?: boolean }): DigitalOutputRig;
}

/**
 * Registers the digital conformance tests for one driver+backend pair. Time is vitest's fake
 * clock: debounce is checked by advancing it, never by waiting.
 */
export function digitalConformance(harness: DigitalHarness): void {
  describe(`digital conformance: ${harness.name}`, () => {
    const open: Digital[] = [];
    const input = (options: DigitalInputOptions = {}): DigitalInputRig => {
      const rig = harness.input(options);
      open.push(rig.driver);
      return rig;
    };
    // A wire's idle level is the hardware's business (a pull, a chip that idles high); the edge
    // tests start from a wire held low long enough to settle under any debounce.
    const inputAtRest = (options: DigitalInputOptions = {}): DigitalInputRig => {
      const rig = input(options);
      rig.drive(0);
      vi.advanceTimersByTime(1000);
      return rig;
    };
    const output = (options: { initial?: Level; activeLow?: boolean } = {}): DigitalOutputRig => {
      const rig = harness.output(options);
      open.push(rig.driver);
      return rig;
    };
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      for (const driver of open.splice(0)) driver.close();
      vi.useRealTimers();
    });

    it('reads the level on the wire, inverted when activeLow', () => {
      const plain = input();
      plain.drive(1);
      expect(plain.driver.read()).toBe(1);
      plain.drive(0);
      expect(plain.driver.read()).toBe(0);
      plain.driver.close();
      const inverted = input({ activeLow: true });
      inverted.drive(0);
      expect(inverted.driver.read()).toBe(1);
    });

    it('drives an output, inverted when activeLow, starting at its initial level', () => {
      const lamp = output({ initial: 1 });
      expect(lamp.probe()).toBe(1);
      lamp.driver.write(0);
      expect(lamp.probe()).toBe(0);
      expect(lamp.driver.read()).toBe(0);
      lamp.driver.close();
      const relay = output({ activeLow: true });
      expect(relay.probe()).toBe(1);
      relay.driver.write(1);
      expect(relay.probe()).toBe(0);
      expect(relay.driver.read()).toBe(1);
    });

    it('refuses a level that is not 0 or 1', () => {
      const lamp = output();
      expect(() => lamp.driver.write(2 as Level)).toThrow(expect.objectContaining({ code: 'driver.bad-level' }));
    });

    it('refuses to drive an input and to watch an output', () => {
      const button = input();
      expect(() => button.driver.write(1)).toThrow(expect.objectContaining({ code: 'driver.read-only' }));
      const lamp = output();
      expect(() => lamp.driver.watch(() => undefined)).toThrow(expect.objectContaining({ code: 'driver.not-watchable' }));
    });

    it('reports edges without debounce as they happen', () => {
      const button = inputAtRest();
      const seen: Level[] = [];
      button.driver.watch((level) => seen.push(level));
      button.drive(1);
      button.drive(0);
      expect(seen).toEqual([1, 0]);
    });

    it('reports only the edges asked for', () => {
      const rising = inputAtRest({ edge: 'rising' });
      const seen: Level[] = [];
      rising.driver.watch((level) => seen.push(level));
      rising.drive(1);
      rising.drive(0);
      rising.drive(1);
      expect(seen).toEqual([1, 1]);
    });

    it('debounces: a bouncing press is one edge, once the line has been still', () => {
      const button = inputAtRest({ debounceMs: 10 });
      const seen: Level[] = [];
      button.driver.watch((level) => seen.push(level));
      button.drive(1);
      vi.advanceTimersByTime(3);
      button.drive(0);
      vi.advanceTimersByTime(3);
      button.drive(1);
      vi.advanceTimersByTime(9);
      expect(seen).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(seen).toEqual([1]);
    });

    it('debounces: a glitch shorter than the debounce that returns to the settled level is no edge', () => {
      const button = inputAtRest({ debounceMs: 10 });
      const seen: Level[] = [];
      button.driver.watch((level) => seen.push(level));
      button.drive(1);
      vi.advanceTimersByTime(2);
      button.drive(0);
      vi.advanceTimersByTime(50);
      expect(seen).toEqual([]);
    });

    it('reports logical levels on edges when activeLow (a pulled-up button)', () => {
      const button = input({ activeLow: true, pull: 'up' });
      button.drive(1);
      const seen: Level[] = [];
      button.driver.watch((level) => seen.push(level));
      button.drive(0);
      button.drive(1);
      expect(seen).toEqual([1, 0]);
    });

    it('stops calling a listener once unwatched, and nothing after close', () => {
      const button = inputAtRest({ debounceMs: 5 });
      const first: Level[] = [];
      const second: Level[] = [];
      const stop = button.driver.watch((level) => first.push(level));
      button.driver.watch((level) => second.push(level));
      stop();
      button.drive(1);
      vi.advanceTimersByTime(5);
      button.drive(0);
      button.driver.close();
      vi.advanceTimersByTime(50);
      expect(first).toEqual([]);
      expect(second).toEqual([1]);
    });

    it('refuses every call after close, and closing twice is harmless', () => {
      const button = input();
      const lamp = output();
      button.driver.close();
      lamp.driver.close();
      button.driver.close();
      for (const driver of [button.driver, lamp.driver]) {
        expect(() => driver.read()).toThrow(expect.objectContaining({ code: 'driver.closed' }));
        expect(() => driver.write(1)).toThrow(expect.objectContaining({ code: 'driver.closed' }));
        expect(() => driver.watch(() => undefined)).toThrow(expect.objectContaining({ code: 'driver.closed' }));
      }
    });

    it('releases the line on close so it can be opened again', () => {
      output().driver.close();
      const again = output({ initial: 1 });
      expect(again.probe()).toBe(1);
    });
  });
}
