import { beforeAll, describe, expect, it } from 'vitest';
import type { KernelBoardConfig, KernelFragment } from '../kernel-js/boot/KernelImage.js';
import { memoryDevices } from '../kernel-js/host/KernelDevices.js';
import type { KernelPresence, KernelPresenceChange } from '../kernel-js/host/KernelPresence.js';
import { emptySpace } from '../kernel-js/host/KernelPresence.js';
import { abiDefinition } from '../userland/abi/abiDefinition.js';
import { linkFragment, type FragmentContext } from '../kernel-js/host/linkFragment.js';
import { KernelError } from '../kernel-js/KernelError.js';
import { compiledShippedWasm } from './fixtures/compiledShippedWasm.js';
import { wasmModule } from './fixtures/wasmModule.js';

const lightsFragment: KernelFragment = {
  instance: 'lights@door',
  app: 'lights',
  bindings: {
    button: { board: 'door', device: 'button', driver: 'gpio-in', local: true },
    lamp: { board: 'door', device: 'lamp', driver: 'gpio-out', local: true },
  },
  capabilities: ['gpio', 'presence'],
};
const config: KernelBoardConfig = {
  format: 1,
  abi: 1,
  board: { id: 'door', type: 'sim', space: ['b', 'f1', 'room'] },
  devices: { button: { driver: 'gpio-in', settings: { pin: 'GPIO17' } }, lamp: { driver: 'gpio-out', settings: { pin: 'GPIO27' } } },
  fragments: [lightsFragment],
  circuits: [],
};

function context(fragment: KernelFragment = lightsFragment, writes: [string, number][] = []): FragmentContext {
  return {
    config,
    fragment,
    devices: memoryDevices(config.devices, (device, level) => writes.push([device, level])),
    memoryPages: 256,
    budgetMs: 50,
    log: () => undefined,
    now: () => 0,
    monotonic: () => 0,
    schedule: () => () => undefined,
    raise: () => undefined,
  };
}

function refusal(run: () => unknown): KernelError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KernelError);
    return error as KernelError;
  }
  throw new Error('expected a KernelError');
}

let lights: Uint8Array;
beforeAll(async () => {
  lights = await compiledShippedWasm('lights');
});

describe("kernel-js's wasm host", () => {
  it('links the lights app with exactly the granted modules, and a press toggles the lamp', () => {
    const writes: [string, number][] = [];
    const linked = linkFragment(lights, context(lightsFragment, writes));
    expect(linked.linked).toEqual(['clock', 'config', 'gpio', 'log', 'presence']);
    linked.initialize();
    const button = linked.handles.get('button') ?? -1;
    expect(linked.handle(1, button, 0)).toBe(0);
    expect(linked.handle(2, button, 0)).toBe(1);
    expect(linked.handle(1, button, 0)).toBe(0);
    expect(writes).toEqual([['lamp', 1], ['lamp', 0]]);
  });

  it('refuses at link time a module importing a function its policy does not grant', () => {
    const error = refusal(() => linkFragment(lights, context({ ...lightsFragment, capabilities: ['presence'] })));
    expect(error.code).toBe('kernel.ungranted-import');
    expect(error.data['ungranted']).toEqual([{ import: 'gpio.write', missing: ['gpio'] }]);
  });

  it('refuses a malformed module', () => {
    expect(refusal(() => linkFragment(Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 7]), context())).code).toBe('kernel.malformed');
  });

  it('refuses a module that imports outside the ABI', () => {
    const bytes = wasmModule({
      imports: [{ module: 'env', name: 'abort', type: { params: [], results: [] } }],
      functions: [{ params: [], results: [] }, { params: ['i32', 'i32', 'i32'], results: ['i32'] }],
      memory: { initial: 1 },
      exports: [{ name: 'memory', kind: 'memory', index: 0 }, { name: '_initialize', kind: 'function', index: 1 }, { name: 'handle', kind: 'function', index: 2 }],
    });
    expect(refusal(() => linkFragment(bytes, context())).code).toBe('kernel.abi');
  });

  it("refuses a module whose memory starts larger than the board's limit", () => {
    const bytes = wasmModule({
      functions: [{ params: [], results: [] }, { params: ['i32', 'i32', 'i32'], results: ['i32'] }],
      memory: { initial: 300 },
      exports: [{ name: 'memory', kind: 'memory', index: 0 }, { name: '_initialize', kind: 'function', index: 0 }, { name: 'handle', kind: 'function', index: 1 }],
    });
    const error = refusal(() => linkFragment(bytes, context()));
    expect(error.code).toBe('kernel.memory-too-large');
    expect(error.data).toMatchObject({ pages: 300, limit: 256 });
  });

  // A module built for an earlier ABI still links (versions only add), and hears only the
  // event kinds its version has: an app from before Expected is never handed one.
  const presenceApp = (version: number): Uint8Array =>
    wasmModule({
      imports: [{ module: 'presence', name: 'count', type: { params: [], results: ['i32'] } }],
      functions: [{ params: [], results: [] }, { params: ['i32', 'i32', 'i32'], results: ['i32'] }],
      memory: { initial: 1 },
      exports: [{ name: 'memory', kind: 'memory', index: 0 }, { name: '_initialize', kind: 'function', index: 1 }, { name: 'handle', kind: 'function', index: 2 }],
      custom: [{ name: abiDefinition.versionSection, bytes: [version] }],
    });

  it.each([
    [2, ['Arrived']],
    [3, ['Expected', 'Arrived', 'NotExpected']],
  ])('links a module built for ABI %i and raises only the presence events that version has', (version, kinds) => {
    const listeners: ((change: KernelPresenceChange) => void)[] = [];
    const presence: KernelPresence = { ...emptySpace, onChange: (listener) => (listeners.push(listener), () => undefined) };
    const raised: number[] = [];
    const fragment: KernelFragment = { instance: 'greeter@door', app: 'greeter', bindings: {}, capabilities: ['presence'] };
    const linked = linkFragment(presenceApp(version), { ...context(fragment), devices: { ...memoryDevices(config.devices, () => undefined), presence }, raise: (kind) => raised.push(kind) });
    expect(linked.linked).toContain('presence');
    const tell = (change: Omit<KernelPresenceChange, 'present' | 'expected'>): void => listeners.forEach((listener) => listener({ ...change, present: 0, expected: 0 }));
    tell({ person: 4, arrived: true, coming: true });
    tell({ person: 4, arrived: true, coming: false });
    tell({ person: 4, arrived: false, coming: true });
    const names = Object.fromEntries(Object.entries(abiDefinition.events).map(([name, event]) => [event.code, name]));
    expect(raised.map((kind) => names[kind])).toEqual(kinds);
    linked.close();
  });

  it('refuses a module built for a later ABI than the shim implements', () => {
    const error = refusal(() => linkFragment(presenceApp(abiDefinition.version + 1), context({ instance: 'greeter@door', app: 'greeter', bindings: {}, capabilities: ['presence'] })));
    expect(error.code).toBe('kernel.abi-version');
    expect(error.data).toMatchObject({ version: abiDefinition.version + 1 });
  });
});
