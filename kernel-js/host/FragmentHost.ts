import { abiCodes } from './abiCodes.js';
import { fragmentClips } from './clipPlayer.js';
import { decodeUtf8 } from './decodeUtf8.js';
import { deviceModules } from './deviceModules.js';
import type { HostModule } from './HostModule.js';
import type { FragmentContext } from './FragmentContext.js';
import { wasmMemoryAccess } from './wasmMemoryAccess.js';

const { status } = abiCodes;

/** A host function as the import object holds it. */
export type HostFn = (...args: number[]) => number | bigint;

/**
 * What one fragment's host functions act on: its device handles (in the order of its
 * bindings), its timers, the board's configuration as the fragment sees it, and the device
 * modules its capabilities grant. The module's memory is given once the instance exists (a
 * script fragment gives a scratch memory of its own, so the same functions serve both kinds).
 */
export class FragmentHost {
  memory: WebAssembly.Memory | undefined;
  readonly handlesByDevice = new Map<string, number>();
  readonly #context: FragmentContext;
  readonly #aliases = new Map<string, number>();
  readonly #devices = new Map<number, string>();
  readonly #timers = new Map<number, () => void>();
  readonly #granted: ReadonlySet<string>;
  readonly #memory = wasmMemoryAccess(() => this.memory);
  #modules: HostModule | undefined;
  #nextTimer = 1;

  constructor(context: FragmentContext, granted: ReadonlySet<string>) {
    this.#context = context;
    this.#granted = granted;
    // Handles are small integers in the order of the fragment's bindings: stable for one config.
    let next = 1;
    // A need bound across a circuit is known to the board's devices by the circuit's id, and
    // reached only when the policy grants the fragment `channel`: without it, config.device
    // answers NotFound as for a need the board cannot serve.
    for (const [alias, binding] of Object.entries(context.fragment.bindings)) {
      const device = binding.local ? binding.device : granted.has('channel') ? binding.circuit : undefined;
      if (device === undefined) continue;
      const handle = this.handlesByDevice.get(device) ?? next++;
      this.#aliases.set(alias, handle);
      this.#devices.set(handle, device);
      this.handlesByDevice.set(device, handle);
    }
  }

  close(): void {
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    this.#modules?.close();
  }

  implementations(): Record<string, HostFn> {
    const c = this.#context;
    this.#modules = deviceModules({
      ...this.#memory,
      devices: c.devices,
      handles: this.#devices,
      granted: this.#granted,
      fragment: c.fragment.instance,
      clips: fragmentClips(c.fragment.clips, c.devices.clips),
      raise: c.raise,
      log: c.log,
    });
    return {
      ...this.#modules.functions,
      'config.device': (ptr = 0, len = 0) => {
        const alias = this.#text(ptr, len);
        return alias === undefined ? status.BadArgument : (this.#aliases.get(alias) ?? status.NotFound);
      },
      'config.read': (keyPtr = 0, keyLen = 0, bufPtr = 0, bufCap = 0) => {
        const key = this.#text(keyPtr, keyLen);
        if (key === undefined) return status.BadArgument;
        const value = this.#configValue(key);
        if (value === undefined) return status.NotFound;
        const encoded = new TextEncoder().encode(value);
        if (encoded.length <= bufCap && !this.#memory.write(bufPtr, encoded)) return status.BadArgument;
        return encoded.length;
      },
      'log.write': (level = 0, ptr = 0, len = 0) => {
        const message = this.#text(ptr, len);
        if (message === undefined) return status.BadArgument;
        c.log(level, message);
        return status.Ok;
      },
      'clock.now': () => BigInt(Math.trunc(c.now())),
      'clock.monotonic': () => BigInt(Math.trunc(c.monotonic())),
      'clock.utcOffset': () => 0,
      'clock.setTimer': (delay = 0, period = 0) => {
        if (delay < 0 || period < 0) return status.BadArgument;
        const id = this.#nextTimer++;
        const cancel = c.schedule(delay, period, () => {
          if (period === 0) this.#timers.delete(id);
          c.raise(abiCodes.event.Timer, id, 0);
        });
        this.#timers.set(id, cancel);
        return id;
      },
      'clock.cancelTimer': (id = 0) => {
        const cancel = this.#timers.get(id);
        if (cancel === undefined) return status.NotFound;
        cancel();
        this.#timers.delete(id);
        return status.Ok;
      },
      'gpio.read': (handle = 0) => {
        const device = this.#digital(handle);
        return device === undefined ? status.BadHandle : device.read();
      },
      'gpio.write': (handle = 0, level = 0) => {
        const device = this.#digital(handle);
        if (device?.output !== true) return status.BadHandle;
        if (level !== 0 && level !== 1) return status.BadArgument;
        device.write(level);
        return status.Ok;
      },
    };
  }

  #digital(handle: number) {
    const device = this.#devices.get(handle);
    return device === undefined ? undefined : this.#context.devices.digital(device);
  }

  #text(ptr: number, len: number): string | undefined {
    const bytes = this.#memory.bytes(ptr, len);
    return bytes === undefined ? undefined : decodeUtf8(bytes);
  }

  #configValue(key: string): string | undefined {
    const { config, fragment } = this.#context;
    const fixed: Record<string, string | undefined> = {
      'building.id': config.building?.id,
      'building.name': config.building?.name,
      'building.timezone': config.building?.timezone,
      'board.id': config.board.id,
      'board.type': config.board.type,
      'app.name': fragment.app,
      'app.instance': fragment.instance,
      'space.id': config.board.space.at(-1),
      'space.kind': config.board.place?.kind,
      'space.name': config.board.place?.name ?? config.board.space.at(-1),
      'space.path': config.board.space.join('/'),
    };
    if (Object.hasOwn(fixed, key)) return fixed[key];
    const device = /^device\.([^.]+)\.(.+)$/.exec(key);
    if (device === null) return undefined;
    const [, alias = '', setting = ''] = device;
    const binding = fragment.bindings[alias];
    if (binding === undefined) return undefined;
    if (setting === 'driver') return binding.driver;
    if (setting === 'board') return binding.board;
    const value = binding.local ? config.devices[binding.device]?.settings[setting] : undefined;
    return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
  }
}
