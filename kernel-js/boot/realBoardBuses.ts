import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BoardSpec } from '../../boards/index.js';
import { AlsaMicrophoneBus, AlsaSpeakerBus } from '../../drivers/audio/AlsaAudio.js';
import { FbdevDisplayBus } from '../../drivers/display/FbdevDisplayBus.js';
import { SimEnclaveBus, type BoardBuses } from '../../drivers/index.js';
import type { KernelDevice } from './KernelImage.js';
import { KernelError } from '../KernelError.js';
import { enclaveSecret } from './enclaveSecret.js';
import { resolveGpioLines } from './resolveGpioLines.js';

export interface RealBoardOptions {
  /** The board directory: the enclave's key file lives there. */
  readonly dir: string;
  /** The devices the configuration opens: only the buses they need are made. */
  readonly devices: Readonly<Record<string, KernelDevice>>;
  /** Where sysfs is mounted (tests give a fake tree). */
  readonly sysfs?: string;
}

/**
 * The buses of a real board, from its support package: GPIO through sysfs with onoff (lines
 * resolved by chip label), serial ports with serialport, audio through ALSA's arecord and
 * aplay, the display on its frame buffer, and the enclave under the board's key file. The
 * native addons (onoff, serialport) load only on boards whose configuration uses them.
 */
export async function realBoardBuses(board: BoardSpec, options: RealBoardOptions): Promise<BoardBuses> {
  const drivers = new Set(Object.values(options.devices).map((device) => device.driver));
  const sysfs = options.sysfs ?? '/sys';
  const missing = (what: string): KernelError => new KernelError('kernel.board-device', `board type ${board.id} names no ${what}`, { hint: `add it to boards/${board.id}.ts`, data: { board: board.id, what } });
  let digital: BoardBuses['digital'];
  if (drivers.has('gpio-in') || drivers.has('gpio-out')) {
    const lines = await resolveGpioLines(board, sysfs);
    const { OnoffDigitalBus } = await import('../../drivers/digital/OnoffDigitalBus.js');
    digital = new OnoffDigitalBus({ lines });
  }
  const secret = drivers.has('enclave') ? await enclaveSecret(options.dir) : undefined;
  return {
    ...(digital === undefined ? {} : { digital }),
    serial: async (port, baudRate) => {
      const path = board.serial[port];
      if (path === undefined) throw missing(`serial port ${port}`);
      const { serialportBus } = await import('../../drivers/serial/serialportBus.js');
      return serialportBus({ path, baudRate });
    },
    audioIn: () => new AlsaMicrophoneBus({ device: board.audio?.in ?? throwing(missing('audio input')) }),
    audioOut: () => new AlsaSpeakerBus({ device: board.audio?.out ?? throwing(missing('audio output')) }),
    display: (width, height) => {
      const fb = board.framebuffer ?? throwing(missing('frame buffer'));
      const geometry = framebufferGeometry(fb, sysfs);
      if (width > geometry.width || height > geometry.height) {
        throw new KernelError('kernel.board-device', `${fb} is ${geometry.width}×${geometry.height}; the display device asks for ${width}×${height}`, { data: { fb, ...geometry, width, height } });
      }
      return new FbdevDisplayBus({ path: fb, width, height, bitsPerPixel: geometry.bitsPerPixel, stride: geometry.stride });
    },
    enclave: () => new SimEnclaveBus({ deviceSecret: secret ?? throwing(missing('enclave')) }),
  };
}

function throwing(error: Error): never {
  throw error;
}

/** The frame buffer's size, depth and stride, as its sysfs class directory reports them. */
function framebufferGeometry(fb: string, sysfs: string): { width: number; height: number; bitsPerPixel: 16 | 32; stride: number } {
  const dir = join(sysfs, 'class', 'graphics', basename(fb));
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8').trim();
  const [width = 0, height = 0] = read('virtual_size').split(',').map(Number);
  const bits = Number(read('bits_per_pixel'));
  if (bits !== 16 && bits !== 32) throw new KernelError('kernel.board-device', `${fb} has ${bits} bits a pixel; the fbdev bus draws 16 or 32`, { data: { fb, bits } });
  return { width, height, bitsPerPixel: bits, stride: Number(read('stride')) };
}
