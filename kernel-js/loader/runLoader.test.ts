import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SerialBus } from '../../drivers/serial/SerialBus.js';
import { SerialLine } from '../../drivers/serial/SerialLine.js';
import { simSerialPair } from '../../drivers/serial/simSerialPair.js';
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
} from './loaderMessages.js';
import { defaultProgressFile, readLoaderProgress } from './loaderProgress.js';
import { runLoader, type LoaderOptions, type LoaderReport } from './runLoader.js';
import { encodeFrame, FrameDecoder, frameType, type Frame, type FrameTypeCode } from './serialFrames.js';

// The loader's answer to each message, driven frame by frame over a simulated line. The
// whole transfer over real ptys, with the sender, is test/serialFlash.e2e.test.ts.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'osmose-loader-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const image = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
const digest = createHash('sha256').update(image).digest();
let disks = 0;

/** The sender's end of the line, by hand. */
class Peer {
  readonly #bus: SerialBus;
  readonly #decoder = new FrameDecoder();
  readonly #frames: Frame[] = [];
  #wake: () => void = () => undefined;

  constructor(bus: SerialBus) {
    this.#bus = bus;
    bus.onData((bytes) => {
      for (const event of this.#decoder.push(bytes)) if (event.kind === 'frame') this.#frames.push(event.frame);
      this.#wake();
    });
  }

  async ask(type: FrameTypeCode, seq: number, payload?: Uint8Array, version?: number): Promise<Frame> {
    await this.#bus.write(encodeFrame(type, seq, payload, version));
    return this.next();
  }

  async next(): Promise<Frame> {
    while (this.#frames.length === 0) await new Promise<void>((wake) => (this.#wake = wake));
    const frame = this.#frames.shift();
    if (frame === undefined) throw new Error('unreachable');
    return frame;
  }

  hello(seq = 1, chunkSize = 4096): Promise<Frame> {
    return this.ask(frameType.hello, seq, encodeHello({ length: image.length, sha256: digest, chunkSize }));
  }

  data(seq: number, offset: number, size: number): Promise<Frame> {
    return this.ask(frameType.data, seq, encodeData({ offset, encoding: dataEncoding.raw, bytes: image.subarray(offset, offset + size) }));
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.#bus.write(bytes);
  }
}

/** A loader on one end of a simulated line, once it listens (a simulated line, like a real one, drops what nobody reads). */
async function start(options: Partial<LoaderOptions> = {}): Promise<{ peer: Peer; file: string; done: Promise<LoaderReport>; stop: AbortController }> {
  const [near, far] = simSerialPair();
  let listening: () => void = () => undefined;
  const listens = new Promise<void>((resolve) => (listening = resolve));
  const bus: SerialBus = {
    write: (bytes) => near.write(bytes),
    onData: (listener) => {
      const stop = near.onData(listener);
      listening();
      return stop;
    },
    close: () => near.close(),
  };
  const file = join(dir, `disk-${(disks += 1)}`);
  const stop = new AbortController();
  const done = runLoader({ serial: new SerialLine({ bus, port: 'serial0' }), file, lingerMs: 50, signal: stop.signal, ...options });
  // The test decides whether it resolves; a rejection it does not await must not go unhandled.
  done.catch(() => undefined);
  const peer = new Peer(far);
  await Promise.race([listens, done]);
  return { peer, file, done, stop };
}

describe('the serial loader answers', () => {
  it('HELLO with READY at 0 and the smaller of the two chunk sizes; each chunk with an ACK; DONE with OK once the SHA-256 matches', async () => {
    const { peer, file, done } = await start({ maxChunkSize: 2048 });
    const ready = await peer.hello(1, 4096);
    expect(ready).toMatchObject({ type: frameType.ready, seq: 1 });
    expect(decodeReady(ready.payload)).toEqual({ offset: 0, chunkSize: 2048 });
    let seq = 2;
    for (let offset = 0; offset < image.length; offset += 2048) {
      const ack = await peer.data(seq, offset, Math.min(2048, image.length - offset));
      expect(ack).toMatchObject({ type: frameType.ack, seq });
      expect(decodeAck(ack.payload)).toEqual({ next: Math.min(offset + 2048, image.length) });
      seq += 1;
    }
    const ok = await peer.ask(frameType.done, seq);
    expect(ok.type).toBe(frameType.ok);
    expect(decodeOk(ok.payload)).toEqual({ length: image.length, sha256: Uint8Array.from(digest) });
    // The answer to DONE may be lost: a DONE repeated while the loader lingers gets it again.
    expect((await peer.ask(frameType.done, seq + 1)).type).toBe(frameType.ok);
    expect(await done).toMatchObject({ ok: true, length: image.length, resumedFrom: 0, bytesWritten: image.length, frames: { hello: 1, data: 5, nak: 0 } });
    expect(Buffer.compare(await readFile(file), image)).toBe(0);
    await expect(stat(defaultProgressFile(file))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('DATA before any HELLO with NAK no-session (a loader that restarted), and DONE likewise', async () => {
    const { peer, stop } = await start();
    const nak = await peer.data(5, 0, 100);
    expect(nak).toMatchObject({ type: frameType.nak, seq: 5 });
    expect(decodeNak(nak.payload)).toEqual({ next: 0, reason: nakReason.noSession });
    expect(decodeNak((await peer.ask(frameType.done, 6)).payload)?.reason).toBe(nakReason.noSession);
    stop.abort();
  });

  it('a chunk past the expected offset with NAK offset, a repeated chunk with the same ACK, a corrupt chunk with NAK crc', async () => {
    const { peer, stop } = await start();
    await peer.hello();
    await peer.data(2, 0, 1000);
    expect(decodeNak((await peer.data(3, 2000, 1000)).payload)).toEqual({ next: 1000, reason: nakReason.offset });
    expect(decodeAck((await peer.data(4, 0, 1000)).payload)).toEqual({ next: 1000 });
    const corrupt = encodeFrame(frameType.data, 5, encodeData({ offset: 1000, encoding: dataEncoding.raw, bytes: image.subarray(1000, 2000) }));
    corrupt[500] = (corrupt[500] ?? 0) ^ 0xff;
    await peer.write(corrupt);
    const nak = await peer.next();
    expect(nak).toMatchObject({ type: frameType.nak, seq: 5 });
    expect(decodeNak(nak.payload)).toEqual({ next: 1000, reason: nakReason.crc });
    expect(decodeNak((await peer.ask(frameType.done, 6)).payload)).toEqual({ next: 1000, reason: nakReason.offset });
    stop.abort();
  });

  it('a deflated chunk like a raw one, and refuses one that inflates past the chunk size', async () => {
    const { peer, stop } = await start();
    await peer.hello(1, 1000);
    const packed = (bytes: Uint8Array, seq: number, offset: number): Promise<Frame> =>
      peer.ask(frameType.data, seq, encodeData({ offset, encoding: dataEncoding.deflateRaw, bytes: deflateRawSync(bytes) }));
    expect(decodeAck((await packed(image.subarray(0, 1000), 2, 0)).payload)).toEqual({ next: 1000 });
    expect(decodeNak((await packed(new Uint8Array(1001), 3, 1000)).payload)).toEqual({ next: 1000, reason: nakReason.malformed });
    stop.abort();
  });

  it('a run of zeros by writing that many zeros, and refuses one longer than maxZeroRun', async () => {
    const { peer, file, stop } = await start();
    await peer.hello(1, 4096);
    await peer.data(2, 0, 100);
    const zeros = (seq: number, offset: number, length: number): Promise<Frame> =>
      peer.ask(frameType.data, seq, encodeData({ offset, encoding: dataEncoding.zeros, bytes: zeroRunBytes(length) }));
    expect(decodeAck((await zeros(3, 100, 9000)).payload)).toEqual({ next: 9100 });
    expect(decodeNak((await zeros(4, 9100, maxZeroRun + 1)).payload)).toEqual({ next: 9100, reason: nakReason.malformed });
    stop.abort();
    const written = await readFile(file);
    expect(written.subarray(0, 100).equals(image.subarray(0, 100))).toBe(true);
    expect(written.subarray(100, 9100).equals(Buffer.alloc(9000))).toBe(true);
  });

  it('a frame of another protocol version with FAILED loader.version', async () => {
    const { peer, stop } = await start();
    const failed = await peer.ask(frameType.hello, 1, encodeHello({ length: 1, sha256: digest, chunkSize: 1 }), 2);
    expect(failed.type).toBe(frameType.failed);
    expect(decodeFailed(failed.payload)).toMatchObject({ code: 'loader.version', data: { version: 2 } });
    stop.abort();
  });

  it('DONE with FAILED loader.digest-mismatch when the bytes are not the image HELLO announced, and forgets the transfer', async () => {
    const { peer, file, done } = await start();
    await peer.ask(frameType.hello, 1, encodeHello({ length: 1000, sha256: digest, chunkSize: 1000 }));
    await peer.data(2, 0, 1000);
    const failed = await peer.ask(frameType.done, 3);
    expect(decodeFailed(failed.payload)).toMatchObject({ code: 'loader.digest-mismatch', data: { expected: digest.toString('hex'), length: 1000 } });
    await expect(done).rejects.toMatchObject({ code: 'loader.digest-mismatch' });
    await expect(stat(defaultProgressFile(file))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('HELLO after a restart with READY at the offset its record holds, flushed before it was stopped', async () => {
    const first = await start({ checkpointBytes: 1_000_000 });
    await first.peer.hello();
    await first.peer.data(2, 0, 4096);
    await first.peer.data(3, 4096, 1000);
    first.stop.abort();
    await expect(first.done).rejects.toMatchObject({ code: 'loader.interrupted', data: { received: 5096 } });
    expect(await readLoaderProgress(defaultProgressFile(first.file))).toMatchObject({ sha256: digest.toString('hex'), length: image.length, committed: 5096 });

    const again = await start({ file: first.file });
    expect(decodeReady((await again.peer.hello(9)).payload)).toEqual({ offset: 5096, chunkSize: 4096 });
    await again.peer.data(10, 5096, 4096);
    await again.peer.data(11, 9192, 808);
    expect((await again.peer.ask(frameType.done, 12)).type).toBe(frameType.ok);
    expect(await again.done).toMatchObject({ resumedFrom: 5096, bytesWritten: 4904 });
    expect(Buffer.compare(await readFile(first.file), image)).toBe(0);
  });

  it('HELLO for another image by starting over, whatever the record held', async () => {
    const first = await start();
    await first.peer.hello();
    await first.peer.data(2, 0, 4096);
    first.stop.abort();
    await expect(first.done).rejects.toMatchObject({ code: 'loader.interrupted' });
    const other = createHash('sha256').update('another image').digest();
    const again = await start({ file: first.file });
    const ready = await again.peer.ask(frameType.hello, 1, encodeHello({ length: image.length, sha256: other, chunkSize: 4096 }));
    expect(decodeReady(ready.payload)?.offset).toBe(0);
    expect(await readLoaderProgress(defaultProgressFile(first.file))).toMatchObject({ sha256: other.toString('hex'), committed: 0 });
    again.stop.abort();
  });

  it('nothing at all for a line that stays quiet past the idle timeout: it stops with loader.idle', async () => {
    const { done } = await start({ idleTimeoutMs: 50 });
    await expect(done).rejects.toMatchObject({ code: 'loader.idle' });
  });

  it('nothing for noise, and counts it', async () => {
    const { peer, stop } = await start();
    await peer.write(Uint8Array.of(1, 2, 3, 0xf1, 0x05, 9, 9));
    await peer.write(new Uint8Array(100));
    expect(decodeReady((await peer.hello()).payload)?.offset).toBe(0);
    stop.abort();
  });

  it('with a typed error to options it cannot use', async () => {
    await expect(runLoader({ serial: new SerialLine({ bus: simSerialPair()[0], port: 's' }), file: join(dir, 'x'), maxChunkSize: 0 })).rejects.toMatchObject({ code: 'loader.bad-option' });
    await writeFile(join(dir, 'blocker'), '');
    await expect(runLoader({ serial: new SerialLine({ bus: simSerialPair()[0], port: 's' }), file: join(dir, 'blocker', 'disk') })).rejects.toMatchObject({ code: 'loader.file' });
  });
});
