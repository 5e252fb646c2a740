import { audioFunctions } from './audioFunctions.js';
import { channelFunctions } from './channelFunctions.js';
import { displayFunctions } from './displayFunctions.js';
import { enclaveFunctions } from './enclaveFunctions.js';
import type { FragmentClips } from './clipPlayer.js';
import type { HostFunctions, HostModule } from './HostModule.js';
import type { KernelDevices } from './KernelDevices.js';
import { emptySpace } from './KernelPresence.js';
import { presenceFunctions } from './presenceFunctions.js';
import { serialFunctions } from './serialFunctions.js';
import { textFunctions } from './textFunctions.js';
import type { WasmMemoryAccess } from './wasmMemoryAccess.js';

export interface DeviceModulesContext extends WasmMemoryAccess {
  readonly devices: KernelDevices;
  /** The fragment's device handles: handle → device name on the board. */
  readonly handles: ReadonlyMap<number, string>;
  /** The capabilities the fragment is granted: a module is made only when it can be linked. */
  readonly granted: ReadonlySet<string>;
  /** The clips the fragment's app ships, which audio.play plays; none when absent. */
  readonly clips?: FragmentClips;
  /** The fragment instance these modules serve: what it records is kept under its policy. */
  readonly fragment?: string;
  readonly raise: (kind: number, source: number, value: number) => void;
  readonly log: (level: number, message: string) => void;
}

/**
 * The host modules that reach the board's devices and surroundings: display (with text),
 * serial, audio, enclave, channel and presence, each over the drivers `devices` gives by
 * name. Modules that listen (serial ports, microphones, circuits, presence) start listening
 * here, so they are made only when granted; `close` stops them all.
 */
export function deviceModules(context: DeviceModulesContext): HostModule {
  const { devices, handles, granted } = context;
  const lookup = <T>(find: ((device: string) => T | undefined) | undefined) => (handle: number): T | undefined => {
    const device = handles.get(handle);
    return device === undefined ? undefined : find?.(device);
  };
  const modules: HostModule[] = [];
  const functions: HostFunctions = {};
  const display = { display: lookup(devices.display), bytes: context.bytes };
  Object.assign(functions, displayFunctions(display), textFunctions(display));

  if (granted.has('serial')) {
    const serials = new Map([...handles].flatMap(([handle, device]) => {
      const serial = devices.serial?.(device);
      return serial === undefined ? [] : [[handle, serial] as const];
    }));
    modules.push(serialFunctions({ ...context, serials }));
  }
  const presence = devices.presence ?? emptySpace;
  const enclave = granted.has('enclave')
    ? enclaveFunctions({
        ...context,
        enclave: lookup(devices.enclave),
        people: (people) => {
          const keys = people.map((person) => presence.publicKey(person));
          return keys.every((key) => key !== undefined) ? keys : undefined;
        },
        present: () => presence.people().flatMap((person) => presence.publicKey(person) ?? []),
        begin: (vault, found, key, members) => {
          const device = handles.get(vault);
          if (device === undefined || devices.keep === undefined) return undefined;
          return devices.keep.begin({ device, fragment: context.fragment ?? '', enclave: found, key, members });
        },
      })
    : undefined;
  if (enclave !== undefined) modules.push(enclave);
  if (granted.has('audio.in') || granted.has('audio.out')) {
    const played = devices.played;
    modules.push(
      audioFunctions({
        ...context,
        microphone: lookup(devices.microphone),
        speaker: lookup(devices.speaker),
        ...(enclave === undefined ? {} : { sealer: enclave.sealer }),
        ...(played === undefined ? {} : { played: (handle: number, clip: string, person: number) => played(handles.get(handle) ?? String(handle), clip, person) }),
      }),
    );
  }
  if (granted.has('channel')) modules.push(channelFunctions({ ...context, channels: devices.channels ?? { open: () => undefined } }));
  if (granted.has('presence')) modules.push(presenceFunctions({ ...context, presence }));
  for (const module of modules) Object.assign(functions, module.functions);
  return {
    functions,
    close: () => {
      for (const module of modules) module.close();
    },
  };
}
