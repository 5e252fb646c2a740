import type { Serial } from '../../drivers/serial/Serial.js';
import { SerialLine } from '../../drivers/serial/SerialLine.js';
import { serialportBus } from '../../drivers/serial/serialportBus.js';
import { SerialFlashError } from '../../kernel-js/loader/SerialFlashError.js';
import { sendImage, type SendImageOptions, type SerialFlashReport } from './serialSender.js';

export type { SerialFlashProgress, SerialFlashReport } from './serialSender.js';

export interface FlashOverSerialOptions extends Omit<SendImageOptions, 'serial'> {
  /** The serial device the board's loader listens on (/dev/ttyUSB0, a pty). */
  readonly port: string;
  /** The line's speed; the board's loader must use the same. Default 115200. */
  readonly baud?: number;
  /** An already open line instead of `port` (the driver receives its bus): the caller closes it. */
  readonly serial?: Serial;
}

/**
 * `osmose flash IMAGE --serial PORT [--baud N]`: streams an image to a board's serial loader
 * (`osmose loader PORT --to DISK` on the board) in CRC-checked, acknowledged chunks, resuming
 * where the board stopped, until the loader has verified the image's SHA-256. Protocol:
 * docs/serial-flashing.md. Rejects with a SerialFlashError (`flash.serial-*`, or the loader's
 * own `loader.*` code when it refused the image).
 */
export async function flashOverSerial(options: FlashOverSerialOptions): Promise<SerialFlashReport> {
  const { port, serial, ...rest } = options;
  if (serial !== undefined) return sendImage({ ...rest, serial });
  if (typeof port !== 'string' || port === '') {
    throw new SerialFlashError('flash.serial-bad-option', 'name the serial port the board listens on (--serial PORT)', { data: { port } });
  }
  const baud = options.baud ?? 115_200;
  if (!Number.isSafeInteger(baud) || baud < 50) {
    throw new SerialFlashError('flash.serial-bad-option', `the baud rate must be a whole number of at least 50, not ${baud}`, { data: { baud } });
  }
  let line: SerialLine;
  try {
    line = new SerialLine({ bus: await serialportBus({ path: port, baudRate: baud }), port });
  } catch (cause) {
    throw new SerialFlashError('flash.serial-port', `cannot open the serial port ${port}: ${(cause as Error).message}`, {
      hint: 'check the port name and that no other program holds it',
      cause,
      data: { port },
    });
  }
  try {
    return await sendImage({ ...rest, baud, serial: line });
  } finally {
    await line.close();
  }
}
