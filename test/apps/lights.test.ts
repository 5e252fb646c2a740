import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileApp } from '../builder/compile/compileApp.js';
import { formatIssues } from '../builder/validate/formatIssues.js';
import { abiDefinition } from '../userland/abi/abiDefinition.js';
import type { HostImports } from '../userland/abi/HostImports.js';
import { shippedAppsDir } from '../userland/shippedApps.js';

// The lights app against a fake host: the board's side of the ABI reduced to a button, a
// lamp and a log, typed from the ABI definition like kernel-js's host will be.
const { Ok, Ignored, NotFound, BadHandle, Failed } = Object.fromEntries(Object.entries(abiDefinition.status).map(([name, status]) => [name, status.code])) as Record<keyof typeof abiDefinition.status, number>;
const { Press, Release, Timer } = Object.fromEntries(Object.entries(abiDefinition.events).map(([name, event]) => [name, event.code])) as Record<keyof typeof abiDefinition.events, number>;

const BUTTON = 4;
const LAMP = 7;

let module: WebAssembly.Module;

beforeAll(async () => {
  const result = await compileApp({ app: 'lights', files: new Map([['assembly/index.ts', readFileSync(join(shippedAppsDir(), 'lights', 'assembly', 'index.ts'), 'utf8')]]) });
  if (!result.ok) throw new Error(formatIssues(result.issues));
  module = new WebAssembly.Module(result.wasm);
});

function boot(options: { devices?: Record<string, number>; lampFails?: boolean } = {}) {
  const lamp = { fails: options.lampFails === true };
  const devices = options.devices ?? { button: BUTTON, lamp: LAMP };
  const writes: number[] = [];
  const logs: string[] = [];
  // The memory is known once the instance is, and grows: read its buffer at each call.
  const view: { memory?: WebAssembly.Memory } = {};
  const text = (ptr: number, len: number): string => new TextDecoder().decode(new Uint8Array(view.memory?.buffer ?? new ArrayBuffer(0), ptr, len));
  const host: Pick<HostImports, 'config' | 'gpio' | 'log'> = {
    config: {
      device: (ptr, len) => devices[text(ptr, len)] ?? NotFound,
      read: () => NotFound,
    },
    gpio: {
      read: () => BadHandle,
      write: (handle, level) => {
        if (handle !== LAMP) return BadHandle;
        if (lamp.fails) return Failed;
        writes.push(level);
        return Ok;
      },
    },
    log: {
      write: (_level, ptr, len) => {
        logs.push(text(ptr, len));
        return Ok;
      },
    },
  };
  const instance = new WebAssembly.Instance(module, host);
  view.memory = instance.exports['memory'] as WebAssembly.Memory;
  (instance.exports['_initialize'] as () => void)();
  const handle = instance.exports['handle'] as (kind: number, source: number, value: number) => number;
  return { handle, writes, logs, lamp };
}

describe('the lights app', () => {
  it('turns the lamp on at the first press and off at the second', () => {
    const board = boot();
    expect(board.handle(Press, BUTTON, 0)).toBe(Ok);
    expect(board.writes).toEqual([1]);
    expect(board.handle(Press, BUTTON, 0)).toBe(Ok);
    expect(board.writes).toEqual([1, 0]);
    expect(board.handle(Press, BUTTON, 0)).toBe(Ok);
    expect(board.writes).toEqual([1, 0, 1]);
  });

  it('ignores releases, other devices and other events', () => {
    const board = boot();
    expect(board.handle(Release, BUTTON, 0)).toBe(Ignored);
    expect(board.handle(Press, LAMP, 0)).toBe(Ignored);
    expect(board.handle(Timer, BUTTON, 0)).toBe(Ignored);
    expect(board.writes).toEqual([]);
    expect(board.logs).toEqual([]);
  });

  it('returns the failure of a write, and keeps its state true to the lamp', () => {
    const board = boot({ lampFails: true });
    expect(board.handle(Press, BUTTON, 0)).toBe(Failed);
    expect(board.handle(Press, BUTTON, 0)).toBe(Failed);
    board.lamp.fails = false;
    // The lamp never came on, so the next press turns it on.
    expect(board.handle(Press, BUTTON, 0)).toBe(Ok);
    expect(board.writes).toEqual([1]);
  });

  it('answers NotFound when the board has no lamp bound to it', () => {
    const board = boot({ devices: { button: BUTTON } });
    expect(board.handle(Press, BUTTON, 0)).toBe(NotFound);
  });
});
