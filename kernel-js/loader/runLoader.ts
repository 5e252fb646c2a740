import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import type { Serial } from '../../drivers/serial/Serial.js';
import { OsmoseError } from '../../lib/OsmoseError.js';
import {
  dataEncoding,
  decodeData,
  decodeHello,
  encodeAck,
  encodeFailed,
  encodeNak,
  encodeOk,
  encodeReady,
  maxZeroRun,
  nakReason,
  type Data,
  type NakReason,
} from './loaderMessages.js';
import { defaultProgressFile, readLoaderProgress, removeLoaderProgress, writeLoaderProgress } from './loaderProgress.js';
import { SerialFlashError } from './SerialFlashError.js';
import { encodeFrame, FrameDecoder, frameType, maxChunkSize, protocolVersion, type Frame, type FrameEvent, type FrameTypeCode } from './serialFrames.js';

export interface LoaderOptions {
  /** The open line to the sender (a SerialLine over serialportBus on a board). */
  readonly serial: Serial;
  /** The board's disk: a file or a block device the image is written into. */
  readonly file: string;
  /** The progress record; by default beside `file` (defaultProgressFile). Required when `file` is a device. */
  readonly progressFile?: string;
  /** The largest chunk the loader accepts; the sender's HELLO may ask for less. Default 16 KiB. */
  readonly maxChunkSize?: number;
  /** Flush the disk and the record after this many new bytes. Default 64 KiB. */
  readonly checkpointBytes?: number;
  /** A partial frame followed by this much silence is dropped (a cut or restarted sender). Default 500 ms: less than the sender waits before it sends again (1 s and more), more than a working line pauses. */
  readonly resyncMs?: number;
  /** Give up (after a checkpoint) when no frame arrives for this long. Default: wait for ever, as a bootloader does. */
  readonly idleTimeoutMs?: number;
  /** After answering DONE, keep answering repeated DONEs until the line is quiet this long (its answer may be lost). Default 1 s. */
  readonly lingerMs?: number;
  /** Stops the loader after a checkpoint (SIGINT, SIGTERM). */
  readonly signal?: AbortSignal;
  /** A sender said HELLO: where this transfer starts. */
  readonly onSession?: (session: LoaderSession) => void;
  /** A chunk was written. */
  readonly onProgress?: (progress: { readonly received: number; readonly length: number }) => void;
}

export interface LoaderSession {
  readonly length: number;
  readonly sha256: string;
  /** Where the sender is told to start: the bytes already durably held. */
  readonly offset: number;
  readonly chunkSize: number;
}

export interface LoaderReport {
  readonly ok: true;
  readonly file: string;
  readonly length: number;
  readonly sha256: string;
  /** The offset the transfer that completed started from: above 0 when it resumed. */
  readonly resumedFrom: number;
  /** Image bytes written to the disk by this run. */
  readonly bytesWritten: number;
  readonly frames: { readonly hello: number; readonly data: number; readonly duplicate: number; readonly nak: number; readonly corrupt: number; readonly done: number };
  /** Bytes that were not part of any frame: noise, garbled headers, dropped partial frames. */
  readonly skippedBytes: number;
  readonly checkpoints: number;
  readonly ms: number;
}

/**
 * The board's end of serial flashing (docs/serial-flashing.md): receives an image over
 * `serial` into `file`, chunk by chunk, acknowledging each, resuming from its progress
 * record, and answers DONE with OK once the SHA-256 of what it holds is the image's.
 * Resolves with a report after OK; rejects with a SerialFlashError (`loader.*`) when the
 * image is refused, the line stays idle past `idleTimeoutMs`, or `signal` aborts.
 */
export async function runLoader(options: LoaderOptions): Promise<LoaderReport> {
  const settings = checkOptions(options);
  let handle: FileHandle;
  try {
    handle = await open(options.file, constants.O_RDWR | constants.O_CREAT, 0o644);
  } catch (cause) {
    throw fileError(options.file, 'open', cause);
  }
  try {
    const isFile = (await handle.stat()).isFile();
    if (!isFile && options.progressFile === undefined) {
      // Beside /dev/mmcblk0 the record would land in a RAM disk and be gone after a power cut.
      throw new SerialFlashError('loader.bad-option', `${options.file} is a device: say where the progress record goes`, {
        hint: 'give --progress FILE on a filesystem that survives a restart',
        data: { file: options.file },
      });
    }
    return await new Loader(options, settings, handle, isFile).run();
  } finally {
    await handle.close();
  }
}

interface Settings {
  readonly progressFile: string;
  readonly maxChunkSize: number;
  readonly checkpointBytes: number;
  readonly resyncMs: number;
  readonly idleTimeoutMs: number | undefined;
  readonly lingerMs: number;
}

function checkOptions(options: LoaderOptions): Settings {
  const problems: string[] = [];
  const positive = (name: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value < 1 || value > max) problems.push(`${name} must be a whole number from 1 to ${max}, not ${value}`);
    return value;
  };
  if (typeof options.file !== 'string' || options.file === '') problems.push('file must name the disk to write');
  const settings: Settings = {
    progressFile: options.progressFile ?? defaultProgressFile(options.file),
    maxChunkSize: positive('maxChunkSize', options.maxChunkSize, 16_384, maxChunkSize),
    checkpointBytes: positive('checkpointBytes', options.checkpointBytes, 65_536),
    resyncMs: positive('resyncMs', options.resyncMs, 500),
    idleTimeoutMs: options.idleTimeoutMs === undefined ? undefined : positive('idleTimeoutMs', options.idleTimeoutMs, 0),
    lingerMs: positive('lingerMs', options.lingerMs, 1000),
  };
  if (problems.length > 0) {
    throw new SerialFlashError('loader.bad-option', `the loader cannot start: ${problems.join('; ')}`, { data: { problems } });
  }
  return settings;
}

interface Session {
  readonly length: number;
  readonly sha256: string;
  readonly digest: Uint8Array;
  readonly chunkSize: number;
  readonly startedAt: number;
  /** Bytes [0, expected) are written (maybe not yet flushed). */
  expected: number;
  /** Bytes [0, committed) are flushed and recorded. */
  committed: number;
}

type Outcome = { readonly ok: true; readonly report: LoaderReport } | { readonly ok: false; readonly error: SerialFlashError };

/** The answer to DONE, repeated to every DONE while the loader lingers. */
interface Conclusion {
  readonly type: FrameTypeCode;
  readonly payload: Uint8Array;
  readonly outcome: Outcome;
}

class Loader {
  readonly #options: LoaderOptions;
  readonly #settings: Settings;
  readonly #handle: FileHandle;
  readonly #isFile: boolean;
  readonly #decoder = new FrameDecoder();
  readonly #started = Date.now();
  readonly #counts = { hello: 0, data: 0, duplicate: 0, nak: 0, corrupt: 0, done: 0 };
  #bytesWritten = 0;
  #checkpoints = 0;
  #session: Session | undefined;
  #conclusion: Conclusion | undefined;
  #queue: Promise<void> = Promise.resolve();
  #finished = false;
  #settle: (outcome: Outcome) => void = () => undefined;
  #idle: NodeJS.Timeout | undefined;
  #linger: NodeJS.Timeout | undefined;
  readonly #cleanups: (() => void)[] = [];

  constructor(options: LoaderOptions, settings: Settings, handle: FileHandle, isFile: boolean) {
    this.#options = options;
    this.#settings = settings;
    this.#handle = handle;
    this.#isFile = isFile;
  }

  async run(): Promise<LoaderReport> {
    const outcome = await new Promise<Outcome>((resolve) => {
      this.#settle = resolve;
      const { signal } = this.#options;
      if (signal?.aborted === true) {
        this.#stop(new SerialFlashError('loader.interrupted', 'the loader was stopped before it started'));
        return;
      }
      const resync = setTimeout(() => {
        if (this.#decoder.pendingBytes > 0) this.#decoder.discardPartial();
      }, this.#settings.resyncMs);
      resync.unref();
      this.#cleanups.push(() => clearTimeout(resync));
      const stopListening = this.#options.serial.onData((bytes) => {
        resync.refresh();
        for (const event of this.#decoder.push(bytes)) this.#enqueue(() => this.#onEvent(event));
      });
      this.#cleanups.push(stopListening);
      this.#watchIdle();
      if (signal !== undefined) {
        const onAbort = (): void => this.#stop(new SerialFlashError('loader.interrupted', `the loader was stopped; ${this.#heldText()}`, { data: this.#heldData() }));
        signal.addEventListener('abort', onAbort, { once: true });
        this.#cleanups.push(() => signal.removeEventListener('abort', onAbort));
      }
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.report;
  }

  #watchIdle(): void {
    const ms = this.#settings.idleTimeoutMs;
    if (ms === undefined) return;
    this.#idle = setTimeout(() => {
      this.#stop(new SerialFlashError('loader.idle', `no frame for ${ms} ms; ${this.#heldText()}`, { hint: 'check the line and run the sender again: the transfer resumes', data: { idleTimeoutMs: ms, ...this.#heldData() } }));
    }, ms);
    this.#cleanups.push(() => clearTimeout(this.#idle));
  }

  /** Ends after flushing what was received, so the next run resumes from it; a transfer already answered ends with its verdict. */
  #stop(error: SerialFlashError): void {
    this.#enqueue(async () => {
      if (this.#conclusion !== undefined) {
        this.#finish(this.#conclusion.outcome);
        return;
      }
      await this.#checkpoint();
      this.#finish({ ok: false, error });
    });
  }

  #finish(outcome: Outcome): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const cleanup of this.#cleanups) cleanup();
    clearTimeout(this.#linger);
    this.#settle(outcome);
  }

  /** Frames are handled one at a time, in order: a chunk is on the disk before the next is looked at. */
  #enqueue(work: () => Promise<void>): void {
    this.#queue = this.#queue
      .then(async () => {
        if (!this.#finished) await work();
      })
      .catch((cause: unknown) => {
        const error =
          cause instanceof SerialFlashError ? cause : new SerialFlashError('loader.file', `the loader failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
        this.#finish({ ok: false, error });
      });
  }

  async #onEvent(event: FrameEvent): Promise<void> {
    this.#idle?.refresh();
    if (event.kind === 'corrupt') {
      this.#counts.corrupt += 1;
      // Only a chunk is worth a NAK: the sender repeats any other frame when its answer does not come.
      if (event.type === frameType.data && this.#session !== undefined) this.#nak(event.seq, this.#session.expected, nakReason.crc);
      return;
    }
    const { frame } = event;
    if (this.#conclusion !== undefined) {
      if (frame.type === frameType.done) {
        this.#reply(this.#conclusion.type, frame.seq, this.#conclusion.payload);
        this.#linger?.refresh();
        return;
      }
      // Another transfer begins (the same sender again, or another image): the last one is over.
      clearTimeout(this.#linger);
      this.#conclusion = undefined;
    }
    if (frame.version !== protocolVersion) {
      const error = new SerialFlashError('loader.version', `the sender speaks protocol version ${frame.version}; this loader speaks ${protocolVersion}`, {
        hint: 'use an osmose of the same release on both ends',
        data: { version: frame.version, supported: [protocolVersion] },
      });
      this.#reply(frameType.failed, frame.seq, encodeFailed(error.toJSON()));
      return;
    }
    switch (frame.type) {
      case frameType.hello:
        return this.#onHello(frame);
      case frameType.data:
        return this.#onData(frame);
      case frameType.done:
        return this.#onDone(frame);
      default:
        // The loader's own message types, or unknown ones: nothing a sender should send.
        return;
    }
  }

  async #onHello(frame: Frame): Promise<void> {
    this.#counts.hello += 1;
    const hello = decodeHello(frame.payload);
    if (hello === undefined || hello.length < 1 || !Number.isSafeInteger(hello.length) || hello.chunkSize < 1) {
      const error = new SerialFlashError('loader.bad-hello', 'the HELLO frame is malformed (an empty image, or a chunk size of 0)', { data: { payload: frame.payload.length } });
      this.#reply(frameType.failed, frame.seq, encodeFailed(error.toJSON()));
      return;
    }
    const sha256 = Buffer.from(hello.sha256).toString('hex');
    const chunkSize = Math.min(hello.chunkSize, this.#settings.maxChunkSize);
    const live = this.#session;
    let offset: number;
    if (live !== undefined && live.sha256 === sha256 && live.length === hello.length) {
      // The same image again (a restarted sender): keep what arrived, durably, and go on from there.
      await this.#checkpoint();
      offset = live.committed;
    } else {
      const record = await readLoaderProgress(this.#settings.progressFile);
      const size = (await this.#handle.stat()).size;
      const matches = record !== undefined && record.sha256 === sha256 && record.length === hello.length && (!this.#isFile || size >= record.committed);
      offset = matches ? record.committed : 0;
      if (!matches) await this.#record({ sha256, length: hello.length, committed: 0 });
    }
    this.#session = { length: hello.length, sha256, digest: hello.sha256, chunkSize, startedAt: offset, expected: offset, committed: offset };
    this.#options.onSession?.({ length: hello.length, sha256, offset, chunkSize });
    this.#reply(frameType.ready, frame.seq, encodeReady({ offset, chunkSize }));
  }

  async #onData(frame: Frame): Promise<void> {
    this.#counts.data += 1;
    const session = this.#session;
    if (session === undefined) {
      this.#nak(frame.seq, 0, nakReason.noSession);
      return;
    }
    const data = decodeData(frame.payload);
    const bytes = data === undefined ? undefined : chunkBytes(data, session.chunkSize);
    if (data === undefined || bytes === undefined || bytes.length === 0 || data.offset + bytes.length > session.length) {
      this.#nak(frame.seq, session.expected, nakReason.malformed);
      return;
    }
    if (data.offset > session.expected) {
      this.#nak(frame.seq, session.expected, nakReason.offset);
      return;
    }
    const end = data.offset + bytes.length;
    if (end <= session.expected) {
      // A chunk whose ACK was lost: it is already written.
      this.#counts.duplicate += 1;
      this.#reply(frameType.ack, frame.seq, encodeAck({ next: session.expected }));
      return;
    }
    try {
      await this.#handle.write(bytes, 0, bytes.length, data.offset);
    } catch (cause) {
      this.#conclude(frame.seq, { ok: false, error: fileError(this.#options.file, 'write', cause) });
      return;
    }
    this.#bytesWritten += end - session.expected;
    session.expected = end;
    // Acknowledged before it is flushed: an ACK says "written", only READY's offset says "durable".
    this.#reply(frameType.ack, frame.seq, encodeAck({ next: end }));
    this.#options.onProgress?.({ received: end, length: session.length });
    if (session.expected - session.committed >= this.#settings.checkpointBytes) await this.#checkpoint();
  }

  async #onDone(frame: Frame): Promise<void> {
    this.#counts.done += 1;
    const session = this.#session;
    if (session === undefined) {
      this.#nak(frame.seq, 0, nakReason.noSession);
      return;
    }
    if (session.expected < session.length) {
      this.#nak(frame.seq, session.expected, nakReason.offset);
      return;
    }
    await this.#checkpoint();
    if (this.#isFile && (await this.#handle.stat()).size > session.length) await this.#handle.truncate(session.length);
    const actual = await sha256Of(this.#handle, session.length);
    this.#session = undefined;
    // Whatever the verdict, this transfer is over: a retry starts from the beginning.
    await removeLoaderProgress(this.#settings.progressFile);
    if (actual !== session.sha256) {
      const error = new SerialFlashError('loader.digest-mismatch', `the ${session.length} bytes received hash to ${actual.slice(0, 16)}…, not to the ${session.sha256.slice(0, 16)}… the sender announced`, {
        hint: 'the image changed while it was sent, or the disk was written between two runs; flash it again from the start',
        data: { expected: session.sha256, actual, length: session.length },
      });
      this.#conclude(frame.seq, { ok: false, error });
      return;
    }
    const report: LoaderReport = {
      ok: true,
      file: this.#options.file,
      length: session.length,
      sha256: actual,
      resumedFrom: session.startedAt,
      bytesWritten: this.#bytesWritten,
      frames: { ...this.#counts },
      skippedBytes: this.#decoder.skippedBytes,
      checkpoints: this.#checkpoints,
      ms: Date.now() - this.#started,
    };
    this.#conclude(frame.seq, { ok: true, report });
  }

  /** Answers DONE (or a fatal error) and lingers: the answer may be lost, and the sender then repeats DONE. */
  #conclude(seq: number, outcome: Outcome): void {
    const conclusion: Conclusion = outcome.ok
      ? { type: frameType.ok, payload: encodeOk({ length: outcome.report.length, sha256: Buffer.from(outcome.report.sha256, 'hex') }), outcome }
      : { type: frameType.failed, payload: encodeFailed(outcome.error.toJSON()), outcome };
    this.#conclusion = conclusion;
    this.#reply(conclusion.type, seq, conclusion.payload);
    clearTimeout(this.#linger);
    this.#linger = setTimeout(() => {
      this.#enqueue(() => Promise.resolve(this.#finish(conclusion.outcome)));
    }, this.#settings.lingerMs);
  }

  /** Flushes the written bytes, then records them: the record never runs ahead of the disk. */
  async #checkpoint(): Promise<void> {
    const session = this.#session;
    if (session === undefined || session.expected === session.committed) return;
    try {
      await this.#handle.datasync();
    } catch (cause) {
      throw fileError(this.#options.file, 'flush', cause);
    }
    await this.#record({ sha256: session.sha256, length: session.length, committed: session.expected });
    session.committed = session.expected;
    this.#checkpoints += 1;
  }

  async #record(progress: { sha256: string; length: number; committed: number }): Promise<void> {
    try {
      await writeLoaderProgress(this.#settings.progressFile, { format: 1, protocol: protocolVersion, ...progress });
    } catch (cause) {
      throw fileError(this.#settings.progressFile, 'write the progress record', cause);
    }
  }

  #nak(seq: number, next: number, reason: NakReason): void {
    this.#counts.nak += 1;
    this.#reply(frameType.nak, seq, encodeNak({ next, reason }));
  }

  /**
   * Answers are not awaited: a reply on a cut line may never drain, and the loader must go on
   * watching for the next sender (and its idle timer) meanwhile. The driver keeps them in order.
   */
  #reply(type: FrameTypeCode, seq: number, payload: Uint8Array): void {
    this.#options.serial.write(encodeFrame(type, seq, payload)).catch(() => undefined);
  }

  #heldText(): string {
    const session = this.#session;
    return session === undefined ? 'no transfer under way' : `${session.expected} of ${session.length} bytes held, kept for the next run`;
  }

  #heldData(): Record<string, unknown> {
    const session = this.#session;
    return session === undefined ? {} : { received: session.expected, length: session.length, sha256: session.sha256 };
  }
}

/** The image bytes a chunk carries, or undefined when they cannot be had within the chunk size (a run of zeros: maxZeroRun). */
function chunkBytes(data: Data, chunkSize: number): Uint8Array | undefined {
  if (data.encoding === dataEncoding.raw) return data.bytes.length <= chunkSize ? data.bytes : undefined;
  if (data.encoding === dataEncoding.zeros) {
    if (data.bytes.length !== 4) return undefined;
    const length = new DataView(data.bytes.buffer, data.bytes.byteOffset, 4).getUint32(0, true);
    return length <= maxZeroRun ? new Uint8Array(length) : undefined;
  }
  try {
    // Bounded: a chunk that inflates past the chunk size is refused, not allocated.
    return inflateRawSync(data.bytes, { maxOutputLength: chunkSize });
  } catch {
    return undefined;
  }
}

async function sha256Of(handle: FileHandle, length: number): Promise<string> {
  const hash = createHash('sha256');
  const block = Buffer.alloc(1 << 20);
  for (let position = 0; position < length; ) {
    const { bytesRead } = await handle.read(block, 0, Math.min(block.length, length - position), position);
    if (bytesRead === 0) break;
    hash.update(block.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
}

function fileError(file: string, verb: string, cause: unknown): SerialFlashError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EFBIG') {
    return new SerialFlashError('loader.no-room', `the image does not fit on ${file}`, { hint: 'give the loader a larger disk', cause, data: { file, errno: code } });
  }
  const detail = cause instanceof OsmoseError || cause instanceof Error ? cause.message : String(cause);
  return new SerialFlashError('loader.file', `could not ${verb} ${file}: ${detail}`, { cause, data: { file, ...(code === undefined ? {} : { errno: code }) } });
}
