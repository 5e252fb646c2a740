import { DriverError } from '../DriverError.js';
import type { AudioFormat } from './Audio.js';

/** A decoded WAV file: its format and its interleaved 16-bit samples. */
export interface Wav extends AudioFormat {
  readonly samples: Int16Array;
}

/**
 * Writes a canonical 44-byte-header PCM WAV (16-bit little-endian). Small enough to write
 * here: no WAV package is among the project's dependencies.
 */
export function encodeWav(wav: Wav): Uint8Array {
  const dataBytes = wav.samples.length * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVEfmt ', 8, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(wav.channels, 22);
  out.writeUInt32LE(wav.rate, 24);
  out.writeUInt32LE(wav.rate * wav.channels * 2, 28);
  out.writeUInt16LE(wav.channels * 2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  wav.samples.forEach((sample, index) => out.writeInt16LE(sample, 44 + index * 2));
  return out;
}

/** Reads a 16-bit PCM WAV, skipping chunks it does not need; refuses anything else with `driver.bad-frame`. */
export function decodeWav(bytes: Uint8Array): Wav {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') {
    throw notWav('it does not start with a RIFF WAVE header');
  }
  let format: AudioFormat | undefined;
  for (let at = 12; at + 8 <= file.length; ) {
    const id = file.toString('ascii', at, at + 4);
    const size = file.readUInt32LE(at + 4);
    const body = at + 8;
    if (body + size > file.length) throw notWav(`its ${id} chunk runs past the end`);
    if (id === 'fmt ') {
      if (size < 16 || file.readUInt16LE(body) !== 1 || file.readUInt16LE(body + 14) !== 16) throw notWav('it is not 16-bit PCM');
      format = { channels: file.readUInt16LE(body + 2), rate: file.readUInt32LE(body + 4) };
    } else if (id === 'data') {
      if (format === undefined) throw notWav('its data comes before its fmt chunk');
      const samples = new Int16Array(Math.floor(size / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = file.readInt16LE(body + i * 2);
      return { ...format, samples };
    }
    at = body + size + (size % 2); // chunks are padded to even sizes
  }
  throw notWav('it has no data chunk');
}

function notWav(why: string): DriverError {
  return new DriverError('driver.bad-frame', `not a 16-bit PCM WAV file: ${why}`);
}
