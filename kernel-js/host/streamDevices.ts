import type { AudioIn, AudioOut } from '../../drivers/index.js';
import type { CircuitConfig } from '../circuit/CircuitConfig.js';
import type { KernelBoardConfig } from '../boot/KernelImage.js';
import { abiCodes } from './abiCodes.js';
import type { KernelChannel } from './KernelChannels.js';

const { logLevel } = abiCodes;

/** How often an app end says again that it wants a remote microphone captured. */
const resendMs = 500;

/**
 * What a stream circuit to an audio device carries, one byte of operation then its operands:
 * the app end starts (with a capture number, 4 bytes little-endian) and stops a remote
 * microphone; PCM (the capture number it belongs to, then 16-bit little-endian samples,
 * channels interleaved, whole frames) flows from a microphone's device end, or to a
 * speaker's (capture number 0).
 */
export const streamOps = { start: 1, stop: 2, pcm: 3 } as const;

/** Bytes before the samples of a PCM message: the operation and the capture number. */
const pcmHeaderBytes = 5;

export interface StreamDevicesOptions {
  readonly config: KernelBoardConfig;
  /** This board's end of a stream circuit, once its link is open; undefined when it could not be opened. */
  readonly open: (circuit: CircuitConfig) => KernelChannel | undefined;
  /** This board's own microphones and speakers, for the circuits whose device end it holds. */
  readonly microphone: (device: string) => AudioIn | undefined;
  readonly speaker: (device: string) => AudioOut | undefined;
  readonly log: (circuit: string, level: number, message: string) => void;
}

export interface StreamDevices {
  /** The far microphone of a stream circuit whose app end this board holds, by circuit id. */
  microphone(circuit: string): AudioIn | undefined;
  /** The far speaker of a stream circuit whose app end this board holds, by circuit id. */
  speaker(circuit: string): AudioOut | undefined;
  close(): void;
}

/**
 * The board's ends of its stream circuits to audio devices. At an app end, a microphone or
 * speaker on another board is an AudioIn or AudioOut like a local one: starting the
 * microphone asks its board to capture, and its PCM arrives over the stream; what is written
 * to the speaker is sent. At a device end, the board's own driver is started, stopped, read
 * and written as the app end asks. Audio is real time: a chunk that meets a full stream is
 * dropped (the link counts it as busy) rather than queued without bound. Displays and
 * enclaves across a circuit are not carried yet; they are said so once.
 */
export function streamDevices(options: StreamDevicesOptions): StreamDevices {
  const me = options.config.board.id;
  const microphones = new Map<string, AudioIn>();
  const speakers = new Map<string, AudioOut>();
  const stops: (() => void)[] = [];
  const sendPcm = (end: KernelChannel, frameBytes: number, pcm: Int16Array, capture: number): void => {
    const raw = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    // A chunk larger than the stream's message goes as several messages of whole frames.
    const step = Math.max(frameBytes, Math.floor((end.maxMessageBytes - pcmHeaderBytes) / frameBytes) * frameBytes);
    for (let at = 0; at < raw.length; at += step) {
      const piece = raw.subarray(at, Math.min(raw.length, at + step));
      const message = new Uint8Array(piece.length + pcmHeaderBytes);
      message[0] = streamOps.pcm;
      new DataView(message.buffer).setUint32(1, capture, true);
      message.set(piece, pcmHeaderBytes);
      // Refused when the stream is full: dropped, and counted by the link as busy.
      end.send(message);
    }
  };
  const pcmOf = (message: Uint8Array): Int16Array => {
    const samples = new Int16Array((message.length - pcmHeaderBytes) >> 1);
    new Uint8Array(samples.buffer).set(message.subarray(pcmHeaderBytes, pcmHeaderBytes + samples.byteLength));
    return samples;
  };
  /** The capture number of a start or PCM message; undefined when it is too short to hold one. */
  const captureOf = (message: Uint8Array): number | undefined => (message.length < 5 ? undefined : new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(1, true));

  for (const circuit of options.config.circuits) {
    if (circuit.kind !== 'stream') continue;
    const atApp = circuit.app.board === me;
    if (!atApp && circuit.device.board !== me) continue;
    const driver = circuit.device.driver;
    if (driver !== 'audio-in' && driver !== 'audio-out') {
      options.log(circuit.id, logLevel.Warn, `circuit ${circuit.id} reaches a ${driver} device, which this shim does not carry across a circuit yet; not served`);
      continue;
    }
    const end = options.open(circuit);
    if (end === undefined) continue;
    const format = audioFormat(circuit);
    if (atApp && driver === 'audio-in') {
      const listeners = new Set<(pcm: Int16Array) => void>();
      // The app's wish, said again until it holds: a start sent before the link is up, or to a
      // board that restarted since, is repeated; audio arriving after a stop asks to stop again.
      // Each start is a new capture, numbered: audio of an earlier one still on its way (captured
      // before the stop reached the microphone) is dropped, so a recorder that re-keys as
      // someone arrives never seals what was said before they came under the new key.
      let capturing = false;
      let capture = 0;
      const say = (): void => {
        if (!capturing) return void end.send(Uint8Array.of(streamOps.stop));
        const start = new Uint8Array(5);
        start[0] = streamOps.start;
        new DataView(start.buffer).setUint32(1, capture, true);
        end.send(start);
      };
      const repeat = setInterval(() => {
        if (capturing) say();
      }, resendMs);
      repeat.unref();
      stops.push(
        () => clearInterval(repeat),
        end.onMessage((message) => {
          if (message[0] !== streamOps.pcm) return;
          if (!capturing) return say();
          if (captureOf(message) !== capture) return;
          const pcm = pcmOf(message);
          for (const listener of listeners) listener(pcm);
        }),
      );
      microphones.set(circuit.id, {
        ...format,
        start: () => {
          capturing = true;
          capture = (capture + 1) >>> 0;
          say();
        },
        stop: () => {
          capturing = false;
          say();
        },
        onFrames: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        close: () => listeners.clear(),
      });
    } else if (atApp) {
      speakers.set(circuit.id, { ...format, write: (pcm) => sendPcm(end, format.channels * 2, pcm, 0), close: () => undefined });
    } else if (driver === 'audio-in') {
      const mic = options.microphone(circuit.device.device);
      if (mic === undefined) {
        options.log(circuit.id, logLevel.Error, `circuit ${circuit.id} names microphone ${circuit.device.device}, which this board does not have`);
        continue;
      }
      let unlisten: (() => void) | undefined;
      // The capture the app end asked for last: what the audio sent from now on belongs to.
      let capture = 0;
      const stop = (): void => {
        unlisten?.();
        unlisten = undefined;
        mic.stop();
      };
      stops.push(
        end.onMessage((message) => {
          const asked = captureOf(message);
          if (message[0] === streamOps.start && asked !== undefined) {
            capture = asked;
            if (unlisten !== undefined) return;
            unlisten = mic.onFrames((pcm) => sendPcm(end, format.channels * 2, pcm, capture));
            mic.start();
          } else if (message[0] === streamOps.stop) {
            stop();
          }
        }),
        stop,
      );
    } else {
      const speaker = options.speaker(circuit.device.device);
      if (speaker === undefined) {
        options.log(circuit.id, logLevel.Error, `circuit ${circuit.id} names speaker ${circuit.device.device}, which this board does not have`);
        continue;
      }
      stops.push(
        end.onMessage((message) => {
          if (message[0] !== streamOps.pcm) return;
          try {
            speaker.write(pcmOf(message));
          } catch (error) {
            options.log(circuit.id, logLevel.Warn, `the speaker refused audio from circuit ${circuit.id}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }),
      );
    }
  }

  return {
    microphone: (circuit) => microphones.get(circuit),
    speaker: (circuit) => speakers.get(circuit),
    close: () => {
      for (const stop of stops.splice(0)) stop();
    },
  };
}

/** The far device's rate and channels, as its settings (in the circuit record) give them, with the drivers' defaults. */
function audioFormat(circuit: CircuitConfig): { readonly rate: number; readonly channels: number } {
  const settings = circuit.device.settings ?? {};
  const rate = typeof settings['rate'] === 'number' ? settings['rate'] : 16_000;
  const channels = typeof settings['channels'] === 'number' ? settings['channels'] : 1;
  return { rate, channels };
}
