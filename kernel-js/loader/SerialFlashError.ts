import { InputError, type ErrorData, type OsmoseErrorJson } from '../../lib/OsmoseError.js';

/**
 * The codes either end of a serial flash may fail with. Stable: the loader's travel to the
 * sender in a FAILED frame (as JSON) and come back as the same code.
 */
export type SerialFlashErrorCode =
  // The loader (the board's end).
  | 'loader.digest-mismatch'
  | 'loader.incomplete'
  | 'loader.version'
  | 'loader.bad-hello'
  | 'loader.no-room'
  | 'loader.file'
  | 'loader.idle'
  | 'loader.interrupted'
  | 'loader.bad-option'
  | 'loader.port'
  // The sender (the installer's laptop).
  | 'flash.serial-no-answer'
  | 'flash.serial-retries'
  | 'flash.serial-protocol'
  | 'flash.serial-image'
  | 'flash.image-truncated'
  | 'flash.image-length'
  | 'flash.image-digest'
  | 'flash.serial-aborted'
  | 'flash.serial-bad-option'
  | 'flash.serial-port';

/**
 * A serial flash that did not complete. An InputError: the command exits 1 with the reason
 * (a cut line, a wrong image), never as a bug.
 */
export class SerialFlashError extends InputError {
  declare readonly code: SerialFlashErrorCode;

  constructor(code: SerialFlashErrorCode, message: string, options: { hint?: string; data?: ErrorData; cause?: unknown } = {}) {
    super(code, message, options);
  }

  /** The loader's error as the sender receives it in a FAILED frame; an unknown code is kept, typed as a protocol failure's. */
  static fromLoader(json: OsmoseErrorJson): SerialFlashError {
    return new SerialFlashError(json.code as SerialFlashErrorCode, `the board's loader refused the image: ${json.message}`, {
      ...(json.hint === undefined ? {} : { hint: json.hint }),
      data: { ...json.data, from: 'loader' },
    });
  }
}
