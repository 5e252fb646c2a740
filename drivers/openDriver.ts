import type * as z from 'zod';
import { parseDuration } from '../lib/duration.js';
import type { AudioIn, AudioOut } from './audio/Audio.js';
import type { AudioInBus, AudioOutBus } from './audio/AudioBus.js';
import type { audioInSpec } from './audio/audioInSpec.js';
import type { audioOutSpec } from './audio/audioOutSpec.js';
import { Microphone } from './audio/Microphone.js';
import { Speaker } from './audio/Speaker.js';
import type { Digital } from './digital/Digital.js';
import type { DigitalBus } from './digital/DigitalBus.js';
import { GpioIn } from './digital/GpioIn.js';
import type { gpioInSpec } from './digital/gpioInSpec.js';
import { GpioOut } from './digital/GpioOut.js';
import type { gpioOutSpec } from './digital/gpioOutSpec.js';
import type { Display } from './display/Display.js';
import type { DisplayBus } from './display/DisplayBus.js';
import type { displaySpec } from './display/displaySpec.js';
import { FrameDisplay } from './display/FrameDisplay.js';
import { DriverError } from './DriverError.js';
import type { Enclave } from './enclave/Enclave.js';
import type { EnclaveBus } from './enclave/EnclaveBus.js';
import type { enclaveSpec } from './enclave/enclaveSpec.js';
import { VaultEnclave } from './enclave/VaultEnclave.js';
import type { Serial } from './serial/Serial.js';
import type { SerialBus } from './serial/SerialBus.js';
import { SerialLine } from './serial/SerialLine.js';
import type { serialSpec } from './serial/serialSpec.js';

/** A device's settings from building.yaml, as its driver's spec validated them. */
export type DeviceSettings =
  | z.infer<typeof gpioInSpec.settings>
  | z.infer<typeof gpioOutSpec.settings>
  | z.infer<typeof audioInSpec.settings>
  | z.infer<typeof audioOutSpec.settings>
  | z.infer<typeof displaySpec.settings>
  | z.infer<typeof enclaveSpec.settings>
  | z.infer<typeof serialSpec.settings>;

/**
 * What a board offers its drivers: one bus per class it supports, or a way to make one per
 * device. The board (sim or real) builds this; openDriver never knows which it got.
 */
export interface BoardBuses {
  readonly digital?: DigitalBus;
  readonly serial?: (port: string, baud: number) => Promise<SerialBus>;
  readonly audioIn?: () => AudioInBus;
  readonly audioOut?: () => AudioOutBus;
  readonly display?: (width: number, height: number) => DisplayBus;
  readonly enclave?: () => EnclaveBus;
}

/** An opened device, tagged with its class so a host can route ABI calls by kind. */
export type OpenedDriver =
  | { readonly class: 'digital'; readonly driver: Digital }
  | { readonly class: 'serial'; readonly driver: Serial }
  | { readonly class: 'audio-in'; readonly driver: AudioIn }
  | { readonly class: 'audio-out'; readonly driver: AudioOut }
  | { readonly class: 'display'; readonly driver: Display }
  | { readonly class: 'enclave'; readonly driver: Enclave };

/** Opens the driver a device's settings name, on the board's bus for that class. */
export async function openDriver(settings: DeviceSettings, buses: BoardBuses): Promise<OpenedDriver> {
  switch (settings.driver) {
    case 'gpio-in':
      return {
        class: 'digital',
        driver: new GpioIn({
          bus: need(buses.digital, 'gpio-in', 'digital'),
          pin: settings.pin,
          pull: settings.pull ?? 'none',
          debounceMs: settings.debounce === undefined ? 0 : (parseDuration(settings.debounce) ?? 0),
          edge: settings.edge ?? 'both',
          activeLow: settings.activeLow ?? false,
        }),
      };
    case 'gpio-out':
      return {
        class: 'digital',
        driver: new GpioOut({
          bus: need(buses.digital, 'gpio-out', 'digital'),
          pin: settings.pin,
          initial: settings.initial === 'on' ? 1 : 0,
          activeLow: settings.activeLow ?? false,
        }),
      };
    case 'serial': {
      const bus = await need(buses.serial, 'serial', 'serial')(settings.port, settings.baud ?? 115200);
      return { class: 'serial', driver: new SerialLine({ bus, port: settings.port }) };
    }
    case 'audio-in':
      return { class: 'audio-in', driver: new Microphone({ bus: need(buses.audioIn, 'audio-in', 'audio')(), rate: settings.rate ?? 16000, channels: settings.channels ?? 1 }) };
    case 'audio-out':
      return { class: 'audio-out', driver: new Speaker({ bus: need(buses.audioOut, 'audio-out', 'audio')(), rate: settings.rate ?? 16000, channels: settings.channels ?? 1, directional: settings.directional ?? false }) };
    case 'display':
      return {
        class: 'display',
        driver: new FrameDisplay({
          bus: need(buses.display, 'display', 'display')(settings.width, settings.height),
          width: settings.width,
          height: settings.height,
          technology: settings.technology ?? 'lcd',
        }),
      };
    case 'enclave':
      return { class: 'enclave', driver: new VaultEnclave({ bus: need(buses.enclave, 'enclave', 'enclave')() }) };
  }
}

function need<T>(bus: T | undefined, driver: string, feature: string): T {
  if (bus === undefined) {
    throw new DriverError('driver.bad-option', `this board offers no ${feature} bus for driver ${driver}`, {
      hint: `use a board whose supports list has ${feature}`,
      data: { driver, feature },
    });
  }
  return bus;
}
