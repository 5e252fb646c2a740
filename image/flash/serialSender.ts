import { createHash, randomInt } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import type { Serial } from '../../drivers/serial/Serial.js';
import {
  dataEncoding,
  decodeAck,
  decodeFailed,
  decodeNak,
  decodeOk,
  decodeReady,
  encodeData,
  encodeHello,
  maxZeroRun,
  nakReason,
  zeroRunBytes,
  type Data,
  type Ready,
} from '../../kernel-js/loader/loaderMessages.js';
import { SerialFlashError } from '../../kernel-js/loader/SerialFlashError.js';
import { encodeFrame, FrameDecoder, frameType, headerBytes, maxChunkSize, trailerBytes, type Frame, type FrameTypeCode } from '../../kernel-js/loader/serialFrames.js';

export interface SendImageOptions {
  /** The open line to the board's loader. */
  readonly serial: Serial;
  /** The image file to send. */
  readonly image: string;
  /**
   * The length and SHA-256 (hex) the image must have, as its signed block map says: checked
   * before a byte is sent (`flash.image-truncated`, `flash.image-length`, `flash.image-digest`),
   * as `osmose flash --to` does. The loader then checks the same digest on what it received.
   */
  readonly expected?: { readonly length: number; readonly sha256: string };
  /** Bytes of image per DATA frame (the loader may ask for fewer). Default 4096. */
  readonly chunkSize?: number;
  /** Compress each chunk with raw DEFLATE when that makes it smaller, and send runs of zeros as their length. Default true. */
  readonly compress?: boolean;
  /** The line's speed, to size the wait for an answer (a frame takes 10 bits a byte to send). Default 115200. */
  readonly baud?: number;
  /** How long to wait for the answer to a frame; by default 1 s plus three times the frame's time on the line. */
  readonly ackTimeoutMs?: number;
  /** Attempts per frame (timeouts and NAKs in a row) before giving up. Default 10. */
  readonly retries?: number;
  /** HELLOs (one per answer timeout) before deciding no loader listens. Default 30. */
  readonly helloAttempts?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SerialFlashProgress) => void;
}

export interface SerialFlashProgress {
  readonly phase: 'connecting' | 'sending' | 'verifying';
  /** Image bytes the loader has acknowledged. */
  readonly offset: number;
  readonly length: number;
  /** Where this run started: above 0 when the loader already held part of the image. */
  readonly resumedFrom: number;
  /** Image bytes sent in DATA frames by this run, retransmissions included. */
  readonly bytesSent: number;
  readonly retransmits: number;
}

export interface SerialFlashReport {
  readonly ok: true;
  readonly image: string;
  readonly length: number;
  readonly sha256: string;
  readonly chunkSize: number;
  readonly resumedFrom: number;
  readonly bytesSent: number;
  /** Every byte written to the line: frames, headers and CRCs, retransmissions. */
  readonly wireBytes: number;
  readonly frames: { readonly data: number; readonly retransmits: number; readonly naks: number; readonly timeouts: number; readonly hellos: number };
  /** From the first HELLO to OK. */
  readonly ms: number;
  /** Image bytes carried (length − resumedFrom) per second of `ms`. */
  readonly bytesPerSecond: number;
  /** Line bytes per second of `ms`. */
  readonly wireBytesPerSecond: number;
}

interface Settings {
  readonly chunkSize: number;
  readonly compress: boolean;
  readonly baud: number;
  readonly ackTimeoutMs: number | undefined;
  readonly retries: number;
  readonly helloAttempts: number;
}

/**
 * The installer's end of serial flashing (docs/serial-flashing.md): stop-and-wait, one DATA
 * frame in flight, each answered by ACK or NAK or resent after a timeout; the loader's READY
 * says where to start, so a run after a cut line sends only what the board lacks.
 */
export async function sendImage(options: SendImageOptions): Promise<SerialFlashReport> {
  const settings = checkOptions(options);
  let handle: FileHandle;
  try {
    handle = await open(options.image, 'r');
  } catch (cause) {
    throw new SerialFlashError('flash.serial-image', `cannot read the image ${options.image}: ${(cause as Error).message}`, { cause, data: { image: options.image } });
  }
  const link = new Link(options.serial, options.signal);
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size === 0) {
      throw new SerialFlashError('flash.serial-image', `${options.image} is ${stat.isFile() ? 'empty' : 'not a regular file'}`, { hint: 'give the image file that osmose image wrote', data: { image: options.image } });
    }
    const digest = await sha256Of(handle, stat.size);
    if (options.expected !== undefined) checkExpected(options.image, stat.size, Buffer.from(digest).toString('hex'), options.expected);
    return await new Sender(options, settings, handle, link, stat.size, digest).run();
  } finally {
    link.close();
    await handle.close();
  }
}

function checkOptions(options: SendImageOptions): Settings {
  const problems: string[] = [];
  const whole = (name: string, value: number | undefined, fallback: number, min: number, max: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value < min || value > max) problems.push(`${name} must be a whole number from ${min} to ${max}, not ${value}`);
    return value;
  };
  const settings: Settings = {
    chunkSize: whole('chunkSize', options.chunkSize, 4096, 1, maxChunkSize),
    compress: options.compress ?? true,
    baud: whole('baud', options.baud, 115_200, 50, 100_000_000),
    ackTimeoutMs: options.ackTimeoutMs === undefined ? undefined : whole('ackTimeoutMs', options.ackTimeoutMs, 0, 1, 3_600_000),
    retries: whole('retries', options.retries, 10, 1, 1000),
    helloAttempts: whole('helloAttempts', options.helloAttempts, 30, 1, 100_000),
  };
  if (typeof options.image !== 'string' || options.image === '') problems.push('image must name the image file');
  if (problems.length > 0) throw new SerialFlashError('flash.serial-bad-option', `cannot flash over serial: ${problems.join('; ')}`, { data: { problems } });
  return settings;
}

type Answer = Frame | 'timeout';

/** One request in flight at a time; answers that do not match it (late, from an earlier run) are dropped. */
class Link {
  readonly #serial: Serial;
  readonly #signal: AbortSignal | undefined;
  readonly #decoder = new FrameDecoder();
  readonly #stopListening: () => void;
  #waiting: ((frame: Frame) => void) | undefined;
  wireBytes = 0;

  constructor(serial: Serial, signal: AbortSignal | undefined) {
    this.#serial = serial;
    this.#signal = signal;
    this.#stopListening = serial.onData((bytes) => {
      for (const event of this.#decoder.push(bytes)) if (event.kind === 'frame') this.#waiting?.(event.frame);
    });
  }

  /** Sends a frame and waits for a frame of one of `types` with its sequence number, or for the timeout. */
  exchange(bytes: Uint8Array, seq: number, types: readonly FrameTypeCode[], timeoutMs: number): Promise<Answer> {
    const signal = this.#signal;
    if (signal?.aborted === true) return Promise.reject(aborted());
    return new Promise<Answer>((resolve, reject) => {
      const done = (answer: Answer): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiting = undefined;
        resolve(answer);
      };
      const onAbort = (): void => {
        clearTimeout(timer);
        this.#waiting = undefined;
        reject(aborted());
      };
      // The timer runs from the start of the write: a write to a cut line may never drain, and
      // then only the timeout (counted against the retries) ends the wait.
      const timer = setTimeout(() => {
        this.#decoder.discardPartial();
        done('timeout');
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting = (frame) => {
        if (frame.seq === seq && types.includes(frame.type as FrameTypeCode)) done(frame);
      };
      this.wireBytes += bytes.length;
      this.#serial.write(bytes).catch(() => undefined);
    });
  }

  close(): void {
    this.#stopListening();
  }
}

function aborted(): SerialFlashError {
  return new SerialFlashError('flash.serial-aborted', 'serial flashing was stopped; run it again to resume', { hint: 'the board keeps what it received' });
}

class Sender {
  readonly #options: SendImageOptions;
  readonly #settings: Settings;
  readonly #handle: FileHandle;
  readonly #link: Link;
  readonly #length: number;
  readonly #digest: Uint8Array;
  #seq = randomInt(2 ** 32);
  #chunkSize = 0;
  #resumedFrom = 0;
  #bytesSent = 0;
  /** The end of the furthest chunk sent: a chunk that starts before it is a retransmission. */
  #furthest = 0;
  readonly #counts = { data: 0, retransmits: 0, naks: 0, timeouts: 0, hellos: 0 };

  constructor(options: SendImageOptions, settings: Settings, handle: FileHandle, link: Link, length: number, digest: Uint8Array) {
    this.#options = options;
    this.#settings = settings;
    this.#handle = handle;
    this.#link = link;
    this.#length = length;
    this.#digest = digest;
  }

  async run(): Promise<SerialFlashReport> {
    const started = Date.now();
    let offset = await this.#hello();
    this.#resumedFrom = offset;
    this.#furthest = offset;
    let failures = 0;
    const failed = (code: 'flash.serial-no-answer' | 'flash.serial-retries', at: number): void => {
      failures += 1;
      if (failures < this.#settings.retries) return;
      throw code === 'flash.serial-no-answer'
        ? new SerialFlashError(code, `the board's loader stopped answering at byte ${at} of ${this.#length} (${failures} attempts)`, {
            hint: 'check the line; run the same command again and the transfer resumes',
            data: { offset: at, length: this.#length, attempts: failures },
          })
        : new SerialFlashError(code, `the chunk at byte ${at} was refused ${failures} times in a row`, { hint: 'the line is too noisy: try a lower --baud or a better cable', data: { offset: at, attempts: failures } });
    };
    // What DATA and DONE share: a timeout, a NAK or a FAILED. Answers the offset to go on
    // from (counting the failure), or the frame to read.
    const settle = async (answer: Frame | 'timeout', at: number): Promise<Frame | number> => {
      if (answer === 'timeout') {
        this.#counts.timeouts += 1;
        failed('flash.serial-no-answer', at);
        return at;
      }
      if (answer.type === frameType.failed) throw this.#loaderFailed(answer);
      if (answer.type !== frameType.nak) return answer;
      failed('flash.serial-retries', at);
      return this.#afterNak(answer, at);
    };
    for (;;) {
      if (offset >= this.#length) {
        this.#progress('verifying', offset);
        const seq = this.#nextSeq();
        const answer = await settle(await this.#link.exchange(encodeFrame(frameType.done, seq), seq, [frameType.ok, frameType.failed, frameType.nak], this.#verifyTimeoutMs()), offset);
        if (typeof answer === 'number') {
          offset = answer;
          continue;
        }
        const ok = decodeOk(answer.payload);
        if (ok === undefined || ok.length !== this.#length || Buffer.compare(ok.sha256, this.#digest) !== 0) {
          throw new SerialFlashError('flash.serial-protocol', "the loader's OK names another image than the one sent", { data: { length: ok?.length } });
        }
        const ms = Math.max(1, Date.now() - started);
        return {
          ok: true,
          image: this.#options.image,
          length: this.#length,
          sha256: Buffer.from(this.#digest).toString('hex'),
          chunkSize: this.#chunkSize,
          resumedFrom: this.#resumedFrom,
          bytesSent: this.#bytesSent,
          wireBytes: this.#link.wireBytes,
          frames: { ...this.#counts },
          ms,
          bytesPerSecond: Math.round(((this.#length - this.#resumedFrom) * 1000) / ms),
          wireBytesPerSecond: Math.round((this.#link.wireBytes * 1000) / ms),
        };
      }
      const { size, data } = await this.#piece(offset);
      const seq = this.#nextSeq();
      const frame = encodeFrame(frameType.data, seq, encodeData(data));
      this.#counts.data += 1;
      this.#bytesSent += size;
      if (offset < this.#furthest) this.#counts.retransmits += 1;
      this.#furthest = Math.max(this.#furthest, offset + size);
      const answer = await settle(await this.#link.exchange(frame, seq, [frameType.ack, frameType.nak, frameType.failed], this.#ackTimeoutMs(frame.length)), offset);
      if (typeof answer === 'number') {
        offset = answer;
        continue;
      }
      const ack = decodeAck(answer.payload);
      if (ack === undefined || ack.next > this.#length) throw new SerialFlashError('flash.serial-protocol', 'the loader sent a malformed ACK', { data: { offset } });
      if (ack.next >= offset + size) failures = 0;
      offset = ack.next;
      this.#progress('sending', offset);
    }
  }

  /** Says HELLO until the loader answers READY; answers where to start. */
  async #hello(): Promise<number> {
    const hello = encodeHello({ length: this.#length, sha256: this.#digest, chunkSize: this.#settings.chunkSize });
    for (let attempt = 1; ; attempt += 1) {
      this.#progress('connecting', 0);
      const seq = this.#nextSeq();
      this.#counts.hellos += 1;
      const frame = encodeFrame(frameType.hello, seq, hello);
      const answer = await this.#link.exchange(frame, seq, [frameType.ready, frameType.failed], this.#ackTimeoutMs(frame.length));
      if (answer === 'timeout') {
        if (attempt >= this.#settings.helloAttempts) {
          throw new SerialFlashError('flash.serial-no-answer', `no loader answered on the line (${attempt} HELLOs)`, {
            hint: 'start the board in its loader (osmose loader PORT --to DISK) and check the port and the baud',
            data: { attempts: attempt },
          });
        }
        continue;
      }
      if (answer.type === frameType.failed) throw this.#loaderFailed(answer);
      const ready: Ready | undefined = decodeReady(answer.payload);
      if (ready === undefined || ready.offset > this.#length || ready.chunkSize < 1 || ready.chunkSize > this.#settings.chunkSize) {
        throw new SerialFlashError('flash.serial-protocol', 'the loader answered HELLO with a malformed READY', { data: { payload: answer.payload.length } });
      }
      this.#chunkSize = ready.chunkSize;
      return ready.offset;
    }
  }

  /** Where to go on after a NAK: the loader's expected offset, or a new HELLO when it has forgotten the transfer (it restarted). */
  async #afterNak(answer: Frame, offset: number): Promise<number> {
    this.#counts.naks += 1;
    const nak = decodeNak(answer.payload);
    if (nak === undefined || nak.next > this.#length) throw new SerialFlashError('flash.serial-protocol', 'the loader sent a malformed NAK', { data: { offset } });
    if (nak.reason === nakReason.noSession) return this.#hello();
    return nak.next;
  }

  /**
   * The next piece of the image from `offset`: a chunk, DEFLATE-compressed when that is
   * smaller, or, when the chunk is all zeros, the whole run of zeros from there (up to
   * maxZeroRun) in one frame.
   */
  async #piece(offset: number): Promise<{ readonly size: number; readonly data: Data }> {
    const size = Math.min(this.#chunkSize, this.#length - offset);
    const bytes = await this.#read(offset, size);
    if (!this.#settings.compress) return { size, data: { offset, encoding: dataEncoding.raw, bytes } };
    if (bytes.equals(zeros.subarray(0, size))) {
      let run = size;
      const limit = Math.min(maxZeroRun, this.#length - offset);
      while (run < limit) {
        const next = await this.#read(offset + run, Math.min(zeros.length, limit - run));
        if (next.equals(zeros.subarray(0, next.length))) {
          run += next.length;
          continue;
        }
        run += next.findIndex((byte) => byte !== 0);
        break;
      }
      return { size: run, data: { offset, encoding: dataEncoding.zeros, bytes: zeroRunBytes(run) } };
    }
    const packed = deflateRawSync(bytes);
    return { size, data: packed.length < size ? { offset, encoding: dataEncoding.deflateRaw, bytes: packed } : { offset, encoding: dataEncoding.raw, bytes } };
  }

  async #read(offset: number, size: number): Promise<Buffer> {
    const bytes = Buffer.alloc(size);
    const { bytesRead } = await this.#handle.read(bytes, 0, size, offset);
    if (bytesRead !== size) throw new SerialFlashError('flash.serial-image', `${this.#options.image} became shorter while it was sent`, { data: { image: this.#options.image, offset } });
    return bytes;
  }

  #loaderFailed(answer: Frame): SerialFlashError {
    const json = decodeFailed(answer.payload);
    if (json === undefined) return new SerialFlashError('flash.serial-protocol', 'the loader failed and its reason could not be read', {});
    return SerialFlashError.fromLoader(json);
  }

  #ackTimeoutMs(frameBytes: number): number {
    return this.#settings.ackTimeoutMs ?? 1000 + Math.ceil((3 * frameBytes * 10 * 1000) / this.#settings.baud);
  }

  /** The loader reads the whole image back to hash it before it answers DONE: allow 10 MB/s of disk at the least. */
  #verifyTimeoutMs(): number {
    return Math.max(this.#ackTimeoutMs(headerBytes + trailerBytes), 5000 + Math.ceil(this.#length / 10_000));
  }

  #nextSeq(): number {
    this.#seq = (this.#seq + 1) >>> 0;
    return this.#seq;
  }

  #progress(phase: SerialFlashProgress['phase'], offset: number): void {
    this.#options.onProgress?.({ phase, offset, length: this.#length, resumedFrom: this.#resumedFrom, bytesSent: this.#bytesSent, retransmits: this.#counts.retransmits });
  }
}

function checkExpected(image: string, length: number, sha256: string, expected: { readonly length: number; readonly sha256: string }): void {
  const hint = 'copy the image and its .bmap.json again, or make the image again with `osmose image BOARD --out FILE`';
  if (length !== expected.length) {
    const shorter = length < expected.length;
    throw new SerialFlashError(shorter ? 'flash.image-truncated' : 'flash.image-length', `the image ${image} is ${length} bytes but its block map signs ${expected.length}: it is ${shorter ? 'truncated' : 'longer than what was signed'}`, {
      hint,
      data: { image, bytes: length, expected: expected.length },
    });
  }
  if (sha256 !== expected.sha256.toLowerCase()) {
    throw new SerialFlashError('flash.image-digest', `the image ${image} is not the one its block map signs (SHA-256 ${expected.sha256.slice(0, 12)}…, not ${sha256.slice(0, 12)}…): it was changed or damaged after it was made`, {
      hint,
      data: { image, expected: expected.sha256, actual: sha256 },
    });
  }
}

/** What a run of zeros is compared against, a block at a time. */
const zeros = Buffer.alloc(65_536);

async function sha256Of(handle: FileHandle, length: number): Promise<Uint8Array> {
  const hash = createHash('sha256');
  const block = Buffer.alloc(1 << 20);
  for (let position = 0; position < length; ) {
    const { bytesRead } = await handle.read(block, 0, Math.min(block.length, length - position), position);
    if (bytesRead === 0) break;
    hash.update(block.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest();
}
