import type { AudioFormat, AudioIn, AudioOut } from '../../drivers/index.js';
import { abiCodes } from './abiCodes.js';
import { ByteQueue } from './ByteQueue.js';
import { decodeUtf8 } from './decodeUtf8.js';
import { driverStatus } from './driverStatus.js';
import { playClip, type FragmentClips } from './clipPlayer.js';
import type { AudioSealer } from './enclaveFunctions.js';
import type { HostModule } from './HostModule.js';

const { status, event, logLevel } = abiCodes;
const statusName = new Map(Object.entries(status).map(([name, code]) => [code, name]));

export interface AudioHost {
  /** The microphone a handle names, undefined when it names none. */
  microphone(handle: number): AudioIn | undefined;
  /** The speaker a handle names, undefined when it names none. */
  speaker(handle: number): AudioOut | undefined;
  /** A copy of ptr..ptr+len of the module's memory, undefined when out of it. */
  bytes(ptr: number, len: number): Uint8Array | undefined;
  /** Copies data into the module's memory at ptr; false when it does not fit. */
  write(ptr: number, data: Uint8Array): boolean;
  /** Queues an event for the module. */
  raise(kind: number, source: number, value: number): void;
  readonly log: (level: number, message: string) => void;
  /**
   * For audio.record: what seals a microphone's PCM into the key epoch of one of the app's key
   * handles in an enclave (`vault`, a device handle), or the status to answer when there is no
   * such enclave or key. Pass `enclaveFunctions(…).sealer`; absent when the fragment is not
   * granted the enclave (then audio.record is not linked at all).
   */
  readonly sealer?: (vault: number, key: number, format: AudioFormat) => AudioSealer | number;
  /** For audio.play: the clips the fragment's app ships, by name (clipPlayer's fragmentClips); without it, every clip is NotFound. */
  readonly clips?: FragmentClips;
  /** Told after each clip played in full, with the speaker's handle and the person aimed at (-1: everyone). */
  readonly played?: (handle: number, clip: string, person: number) => void;
  /** Captured audio kept per microphone, in milliseconds, before the oldest is dropped; also the most audio.write takes at once. Default 1000. */
  readonly bufferMs?: number;
}

interface Capture {
  readonly mode: 'capture' | 'record';
  readonly mic: AudioIn;
  readonly pending: ByteQueue;
  /** Whether frames were dropped since the module last read: logged once per overflow. */
  overflowing: boolean;
  unlisten: () => void;
  /** Lets go of what the capture holds besides the microphone (a recording's key epoch). */
  release: () => void;
}

/**
 * The `audio` host module over the board's AudioIn and AudioOut drivers. Captured PCM waits
 * in the host per microphone (at most `bufferMs`; the oldest frames go first, with one
 * warning) and each arrival raises an Audio event with the bytes waiting. audio.record hands
 * each chunk the microphone delivers straight to the key epoch, which seals it into the
 * enclave, so the samples never reach the module's memory. A microphone either captures or
 * records: starting the other is Busy until audio.stop. audio.play plays one of the clips the
 * app ships (clipPlayer).
 */
export function audioFunctions(host: AudioHost): HostModule {
  const bufferMs = host.bufferMs ?? 1000;
  const captures = new Map<number, Capture>();

  const end = (handle: number, capture: Capture): number => {
    capture.unlisten();
    capture.release();
    capture.pending.clear();
    captures.delete(handle);
    try {
      capture.mic.stop();
      return status.Ok;
    } catch (error) {
      return driverStatus(error, `stopping audio ${handle}`, host.log);
    }
  };

  const listen = (handle: number, mic: AudioIn, mode: Capture['mode'], deliver: (capture: Capture, pcm: Int16Array) => void, release: () => void = () => undefined): number => {
    const frame = 2 * mic.channels;
    const capture: Capture = { mode, mic, pending: new ByteQueue(Math.max(1, Math.floor((mic.rate * bufferMs) / 1000)) * frame), overflowing: false, unlisten: () => undefined, release };
    try {
      const unlisten = mic.onFrames((pcm) => {
        if (captures.get(handle) === capture) deliver(capture, pcm);
      });
      capture.unlisten = unlisten;
      captures.set(handle, capture);
      mic.start();
      return status.Ok;
    } catch (error) {
      capture.unlisten();
      capture.release();
      captures.delete(handle);
      return driverStatus(error, `starting audio ${handle}`, host.log);
    }
  };

  return {
    functions: {
      'audio.start': (handle = 0) => {
        const mic = host.microphone(handle);
        if (mic === undefined) return status.BadHandle;
        const running = captures.get(handle);
        if (running !== undefined) return running.mode === 'capture' ? status.Ok : status.Busy;
        return listen(handle, mic, 'capture', (capture, pcm) => {
          const dropped = capture.pending.push(pcmBytes(pcm));
          if (dropped > 0 && !capture.overflowing) {
            capture.overflowing = true;
            host.log(logLevel.Warn, `audio ${handle}: ${bufferMs} ms of captured audio wait unread; dropping the oldest frames until the app reads`);
          }
          host.raise(event.Audio, handle, capture.pending.length);
        });
      },
      'audio.stop': (handle = 0) => {
        if (host.microphone(handle) === undefined) return status.BadHandle;
        const running = captures.get(handle);
        return running === undefined ? status.Ok : end(handle, running);
      },
      'audio.read': (handle = 0, ptr = 0, cap = 0) => {
        const mic = host.microphone(handle);
        if (mic === undefined) return status.BadHandle;
        if (!Number.isInteger(cap) || cap < 0) return status.BadArgument;
        const capture = captures.get(handle);
        const frame = 2 * mic.channels;
        // Whole frames only: half a sample would shift every later one.
        const data = capture?.mode === 'capture' ? capture.pending.peek(cap - (cap % frame)) : new Uint8Array();
        if (!host.write(ptr, data)) return status.BadArgument;
        if (capture !== undefined && data.length > 0) {
          capture.pending.discard(data.length);
          capture.overflowing = false;
        }
        return data.length;
      },
      'audio.record': (handle = 0, vault = 0, key = 0) => {
        const mic = host.microphone(handle);
        if (mic === undefined) return status.BadHandle;
        if (host.sealer === undefined) return status.Unsupported;
        if (captures.has(handle)) {
          // Asked for the sealer only to answer as before: no such enclave or key beats Busy.
          const seal = host.sealer(vault, key, mic);
          if (typeof seal === 'number') return seal;
          seal.release();
          return status.Busy;
        }
        const seal = host.sealer(vault, key, mic);
        if (typeof seal === 'number') return seal;
        // The plaintext goes to the sealer only: the key epoch computes its derived record from it, then seals it.
        return listen(handle, mic, 'record', (capture, pcm) => {
          const sealed = seal.write(pcm);
          if (sealed >= 0) return;
          // The key was dropped or the enclave failed: stop rather than lose audio silently.
          end(handle, capture);
          host.log(logLevel.Warn, `audio ${handle}: recording into enclave ${vault} stopped: sealing answered ${statusName.get(sealed) ?? sealed}`);
        }, () => seal.release());
      },
      'audio.write': (handle = 0, ptr = 0, len = 0) => {
        const speaker = host.speaker(handle);
        if (speaker === undefined) return status.BadHandle;
        const frame = 2 * speaker.channels;
        if (!Number.isInteger(len) || len < 0 || len % frame !== 0) return status.BadArgument;
        const data = host.bytes(ptr, len);
        if (data === undefined) return status.BadArgument;
        const most = Math.max(1, Math.floor((speaker.rate * bufferMs) / 1000)) * frame;
        const taken = data.subarray(0, Math.min(len, most));
        if (taken.length === 0) return 0;
        try {
          speaker.write(pcmSamples(taken));
        } catch (error) {
          return driverStatus(error, `audio ${handle} write`, host.log);
        }
        return taken.length;
      },
      'audio.play': (handle = 0, ptr = 0, len = 0, person = -1) => {
        const speaker = host.speaker(handle);
        if (speaker === undefined) return status.BadHandle;
        if (!Number.isInteger(person) || person < -1) return status.BadArgument;
        const bytes = host.bytes(ptr, len);
        const clip = bytes === undefined ? undefined : decodeUtf8(bytes);
        if (clip === undefined) return status.BadArgument;
        const answer = playClip({ speaker, handle, clip, person, clips: host.clips, log: host.log });
        if (answer === status.Ok) host.played?.(handle, clip, person);
        return answer;
      },
    },
    close: () => {
      for (const [handle, capture] of [...captures]) end(handle, capture);
    },
  };
}

/** PCM as the ABI carries it in memory: signed 16-bit little-endian, whatever the host's byte order. */
function pcmBytes(pcm: Int16Array): Uint8Array {
  const bytes = new Uint8Array(pcm.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < pcm.length; i++) view.setInt16(i * 2, pcm[i] ?? 0, true);
  return bytes;
}

function pcmSamples(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int16Array.from({ length: bytes.length / 2 }, (_, i) => view.getInt16(i * 2, true));
}
