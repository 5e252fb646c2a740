import type { CircuitConfig } from '../circuit/CircuitConfig.js';
import type { KernelBoardConfig } from '../boot/KernelImage.js';
import { abiCodes } from './abiCodes.js';
import type { KernelChannel } from './KernelChannels.js';
import type { KernelDigital } from './KernelDevices.js';

const { logLevel } = abiCodes;

/**
 * What a control circuit to a digital device carries, one byte of operation and its operands:
 * an app end sets the output's level (`set`), the device end says the input's level
 * (`level`) on every debounced change and when asked (`ask`, sent by an app end at boot, so
 * gpio.read is right before the first change).
 */
export const circuitOps = { set: 1, level: 2, ask: 3 } as const;

export interface CircuitDevicesOptions {
  readonly config: KernelBoardConfig;
  /** The end of a circuit this board holds; undefined when it cannot be opened (the caller says why). */
  readonly open: (circuit: CircuitConfig) => KernelChannel | undefined;
  /** This board's own digital devices, for the circuits whose device end it holds. */
  readonly local: (device: string) => KernelDigital | undefined;
  /** A remote input changed: the fragments bound to it get Press or Release (Watchdog.input). */
  readonly input: (device: string, level: number) => void;
  readonly log: (circuit: string, level: number, message: string) => void;
}

export interface CircuitDevices {
  /** The far device of a circuit whose app end this board holds, by circuit id: what the host binds a remote need to. */
  digital(circuit: string): KernelDigital | undefined;
  /** One of this board's own inputs changed: the circuits whose device end it is tell their app ends. */
  localInput(device: string, level: number): void;
  close(): void;
}

/**
 * The board's ends of its control circuits to digital devices. At an app end, a need bound to
 * a device on another board looks like a local device to the host: writing a remote lamp sends
 * one datagram, and a remote button's changes arrive as Press and Release. At a device end,
 * what arrives is applied to the board's own driver and the driver's changes are sent. Only
 * gpio-in and gpio-out are carried this way: a control circuit to a serial line is said so
 * once and left closed, and stream circuits are streamDevices'.
 */
export function circuitDevices(options: CircuitDevicesOptions): CircuitDevices {
  const me = options.config.board.id;
  const remote = new Map<string, KernelDigital>();
  const fromDevice = new Map<string, { readonly circuit: CircuitConfig; readonly end: KernelChannel }[]>();
  const stops: (() => void)[] = [];
  const send = (circuit: CircuitConfig, end: KernelChannel, message: Uint8Array): void => {
    const result = end.send(message);
    if (result !== 'ok') options.log(circuit.id, logLevel.Debug, `circuit ${circuit.id}: the message was not sent (${result})`);
  };

  for (const circuit of options.config.circuits) {
    const digital = circuit.device.driver === 'gpio-in' || circuit.device.driver === 'gpio-out';
    const atApp = circuit.app.board === me;
    const atDevice = circuit.device.board === me;
    if (!atApp && !atDevice) continue;
    // Stream circuits are streamDevices'.
    if (circuit.kind !== 'control') continue;
    if (!digital) {
      options.log(circuit.id, logLevel.Warn, `circuit ${circuit.id} reaches a ${circuit.device.driver} device, which this shim does not carry across a circuit yet; not served`);
      continue;
    }
    const end = options.open(circuit);
    if (end === undefined) continue;
    const output = circuit.device.driver === 'gpio-out';
    if (atApp) {
      let level = 0;
      remote.set(circuit.id, {
        output,
        read: () => level,
        write: (next) => {
          level = next === 0 ? 0 : 1;
          send(circuit, end, Uint8Array.of(circuitOps.set, level));
        },
      });
      if (!output) {
        stops.push(
          end.onMessage((message) => {
            if (message[0] !== circuitOps.level || message.length !== 2) return;
            const next = message[1] === 0 ? 0 : 1;
            if (next === level) return;
            level = next;
            options.input(circuit.id, level);
          }),
        );
        send(circuit, end, Uint8Array.of(circuitOps.ask));
      }
    } else {
      const device = circuit.device.device;
      const local = options.local(device);
      if (local === undefined) {
        options.log(circuit.id, logLevel.Error, `circuit ${circuit.id} names device ${device}, which this board does not have`);
        continue;
      }
      stops.push(
        end.onMessage((message) => {
          if (message[0] === circuitOps.set && message.length === 2 && output) local.write(message[1] === 0 ? 0 : 1);
          else if (message[0] === circuitOps.ask && message.length === 1 && !output) send(circuit, end, Uint8Array.of(circuitOps.level, local.read() === 0 ? 0 : 1));
        }),
      );
      if (!output) {
        fromDevice.set(device, [...(fromDevice.get(device) ?? []), { circuit, end }]);
        // Said once at boot, so an app end that booted first learns the level without asking again.
        send(circuit, end, Uint8Array.of(circuitOps.level, local.read() === 0 ? 0 : 1));
      }
    }
  }

  return {
    digital: (circuit) => remote.get(circuit),
    localInput: (device, level) => {
      for (const { circuit, end } of fromDevice.get(device) ?? []) send(circuit, end, Uint8Array.of(circuitOps.level, level === 0 ? 0 : 1));
    },
    close: () => {
      for (const stop of stops.splice(0)) stop();
    },
  };
}
