import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTargetsKey, type SigningKey } from '../builder/build/signManifest.js';
import { runCli } from '../cli/runCli.js';
import { socatPtyPair } from '../drivers/conformance/socatPtyPair.js';
import { registerFlashCommand } from '../image/commands/flashCommand.js';
import { flashOverSerial, type SerialFlashReport } from '../image/flash/serialFlash.js';
import { writeBlockMap } from '../image/flash/writeBlockMap.js';
import { defaultProgressFile, readLoaderProgress } from '../kernel-js/loader/loaderProgress.js';
import type { LoaderReport } from '../kernel-js/loader/runLoader.js';
import { encodeFrame, FrameDecoder, frameMagic, frameType, headerBytes } from '../kernel-js/loader/serialFrames.js';
import { runOsmose, type Run } from './fixtures/runOsmose.js';

// `osmose flash IMAGE --serial PORT` against `osmose loader PORT --to DISK` over real ptys made
// by socat: whole transfers, a line cut by killing socat, a restarted sender, noise injected by
// a relay between two ptys, and a wrong image. Nothing here asserts on time; the throughput is
// printed, not checked.

// `osmose flash` runs in a building: it flashes only an image whose block map the building's
// targets key signed. The images flashed through the library (flashOverSerial) need none.
let parent: string;
let dir: string;
let signer: SigningKey;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-serial-flash-'));
  const root = join(parent, 'building');
  const io = { cwd: parent, stdout: () => undefined, stderr: (text: string) => process.stderr.write(text), env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false };
  expect(await runCli(['init', root, '--template', 'empty'], io)).toBe(0);
  signer = await loadTargetsKey(root);
  dir = join(root, 'flashing');
  await mkdir(dir);
}, 120_000);
afterAll(() => rm(parent, { recursive: true, force: true }));

let files = 0;
const tempPath = (name: string): string => join(dir, `${(files += 1)}-${name}`);

/** A deterministic pseudo-random generator (xorshift32), so a failing run can be replayed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function randomBytes(size: number, seed: number): Buffer {
  const next = random(seed);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

/** What a disk image looks like: mostly zeros (empty partitions), some text (the shim), some incompressible bytes (wasm, keys). */
function diskLikeBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  const text = Buffer.from('export function boot(board){return verify(board.slot).then(run)}\n'.repeat(Math.ceil(size / 8 / 60)));
  text.copy(bytes, size / 8, 0, size / 8);
  randomBytes(size / 8, seed).copy(bytes, size / 2);
  return bytes;
}

async function imageFile(bytes: Buffer): Promise<string> {
  const path = tempPath('image.img');
  await writeFile(path, bytes);
  return path;
}

/** `osmose flash IMAGE --serial PORT …` in the building, in this process. */
async function flashCommand(args: readonly string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = { cwd: dir, stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), env: {}, interactive: false };
  const code = await runCli(['flash', ...args], io, [registerFlashCommand]);
  return { code, stdout, stderr };
}

/** `osmose loader PORT --to DISK --json`, in this process, through the CLI with every layer. */
function loader(port: string, disk: string, ...extra: string[]): Promise<Run> {
  return runOsmose(['loader', port, '--to', disk, '--json', ...extra]);
}

function loaderReport(run: Run): LoaderReport {
  expect(run, run.stderr).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout) as LoaderReport;
}

async function expectSameBytes(disk: string, bytes: Buffer): Promise<void> {
  const got = await readFile(disk);
  expect(got.length).toBe(bytes.length);
  expect(Buffer.compare(got, bytes)).toBe(0);
}

function figures(what: string, report: SerialFlashReport): void {
  console.log(
    `serial flash, ${what}: ${report.length} bytes in ${report.ms} ms = ${(report.bytesPerSecond / 1024).toFixed(0)} KiB/s of image, ` +
      `${(report.wireBytesPerSecond / 1024).toFixed(0)} KiB/s on the line (${report.wireBytes} bytes; chunks of ${report.chunkSize})`,
  );
}

/** Takes one frame's bytes; answers the bytes to pass on instead, or undefined to drop them. */
type Tamper = (frame: Uint8Array, type: number) => Uint8Array | undefined;

interface Relay {
  /** The sender's end. */
  readonly a: string;
  /** The loader's end. */
  readonly b: string;
  close(): Promise<void>;
}

/**
 * Two ptys, each joined by socat to this process, which passes the bytes across: frame by
 * frame through `toLoader`/`toSender` (to hit a given frame), or chunk by chunk through
 * `noise` (bit flips and bursts wherever they fall). The loader and the sender see a real
 * tty with real noise on it.
 */
async function relay(options: { toLoader?: Tamper; toSender?: Tamper; noise?: (chunk: Buffer) => Buffer }): Promise<Relay> {
  const base = await mkdtemp(join(dir, 'relay-'));
  const end = async (link: string): Promise<ReturnType<typeof spawn>> => {
    const child = spawn('socat', [`pty,raw,echo=0,link=${link}`, 'STDIO'], { stdio: ['pipe', 'pipe', 'inherit'] });
    while (!(await stat(link).then(() => true, () => false))) {
      if (child.exitCode !== null) throw new Error('socat exited');
      await sleep(5);
    }
    return child;
  };
  const a = join(base, 'a');
  const b = join(base, 'b');
  const [near, far] = await Promise.all([end(a), end(b)]);
  const pass = (from: ReturnType<typeof spawn>, to: ReturnType<typeof spawn>, tamper: Tamper | undefined): void => {
    const decoder = new FrameDecoder();
    from.stdout?.on('data', (chunk: Buffer) => {
      if (tamper === undefined) {
        to.stdin?.write(options.noise === undefined ? chunk : options.noise(chunk));
        return;
      }
      for (const event of decoder.push(chunk)) {
        if (event.kind !== 'frame') continue;
        const { type, seq, payload, version } = event.frame;
        const out = tamper(encodeFrame(type as 1, seq, payload, version), type);
        if (out !== undefined) to.stdin?.write(out);
      }
    });
  };
  pass(near, far, options.toLoader);
  pass(far, near, options.toSender);
  return {
    a,
    b,
    async close() {
      await Promise.all(
        [near, far].map(async (child) => {
          if (child.exitCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }),
      );
    },
  };
}

describe('osmose flash IMAGE --serial PORT to osmose loader PORT --to DISK, over socat ptys', () => {
  it('carries a 4 MiB image byte-exact, through both commands, and says how fast', async () => {
    const bytes = randomBytes(4 << 20, 1);
    const image = await imageFile(bytes);
    const disk = tempPath('disk.img');
    const pty = await socatPtyPair();
    try {
      await writeBlockMap(image, 'board-1', signer);
      const atBoard = loader(pty.b, disk);
      const run = await flashCommand([image, '--serial', pty.a, '--baud', '115200', '--no-compress', '--json']);
      expect(run, run.stderr).toMatchObject({ code: 0 });
      const sent = JSON.parse(run.stdout) as SerialFlashReport;
      const received = loaderReport(await atBoard);
      await expectSameBytes(disk, bytes);
      expect(sent).toMatchObject({ ok: true, length: bytes.length, resumedFrom: 0, bytesSent: bytes.length, frames: { retransmits: 0, naks: 0 } });
      expect(received).toMatchObject({ ok: true, length: bytes.length, sha256: sent.sha256, resumedFrom: 0, bytesWritten: bytes.length, frames: { nak: 0, corrupt: 0 } });
      await expect(stat(defaultProgressFile(disk))).rejects.toMatchObject({ code: 'ENOENT' });
      figures('4 MiB of random bytes, uncompressed, over a pty at 115200 nominal', sent);
    } finally {
      await pty.close();
    }
  });

  it('compresses a disk-like image on the line and still writes it byte-exact', async () => {
    const bytes = diskLikeBytes(4 << 20, 2);
    const image = await imageFile(bytes);
    const disk = tempPath('disk.img');
    const pty = await socatPtyPair();
    try {
      const atBoard = loader(pty.b, disk);
      const sent = await flashOverSerial({ image, port: pty.a });
      loaderReport(await atBoard);
      await expectSameBytes(disk, bytes);
      expect(sent.wireBytes).toBeLessThan(bytes.length / 2);
      figures('4 MiB disk-like image (zeros, text, 1/8 random), DEFLATE per chunk', sent);
    } finally {
      await pty.close();
    }
  });

  it('resumes after the line is cut (socat killed mid-transfer): a new pair, both ends run again on the same disk, only the rest is sent', async () => {
    const bytes = randomBytes(3 << 20, 3);
    const image = await imageFile(bytes);
    const disk = tempPath('disk.img');

    const first = await socatPtyPair();
    const firstBoard = loader(first.b, disk, '--idle-timeout', '5');
    let cut: Promise<void> | undefined;
    const firstSend = flashOverSerial({
      image,
      port: first.a,
      compress: false,
      ackTimeoutMs: 1000,
      retries: 3,
      onProgress: (progress) => {
        if (cut === undefined && progress.offset >= bytes.length * 0.4) cut = first.close();
      },
    });
    await expect(firstSend).rejects.toMatchObject({ code: 'flash.serial-no-answer' });
    await cut;
    const stopped = await firstBoard;
    expect(stopped.code).toBe(1);
    const idle = JSON.parse(stopped.stdout) as { error: { code: string; data: { received: number } } };
    expect(idle).toMatchObject({ ok: false, error: { code: 'loader.idle', data: { length: bytes.length } } });
    // Idle, the loader flushed and recorded every byte it had before it stopped.
    const record = await readLoaderProgress(defaultProgressFile(disk));
    const committed = record?.committed ?? 0;
    expect(committed).toBe(idle.error.data.received);
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(bytes.length);

    const second = await socatPtyPair();
    try {
      const atBoard = loader(second.b, disk);
      const sent = await flashOverSerial({ image, port: second.a, compress: false });
      const received = loaderReport(await atBoard);
      expect(sent.resumedFrom).toBe(committed);
      expect(sent.bytesSent).toBe(bytes.length - committed);
      expect(sent.bytesSent).toBeLessThan(bytes.length);
      expect(received).toMatchObject({ resumedFrom: committed, bytesWritten: bytes.length - committed });
      await expectSameBytes(disk, bytes);
      console.log(`serial flash, cut line: cut after ${(committed / 1024).toFixed(0)} KiB recorded of ${bytes.length / 1024} KiB; the second run sent ${sent.bytesSent} bytes`);
    } finally {
      await second.close();
    }
  });

  it('resumes a restarted sender from the loader that kept running, at the byte it stopped', async () => {
    const bytes = randomBytes(2 << 20, 4);
    const image = await imageFile(bytes);
    const disk = tempPath('disk.img');
    const pty = await socatPtyPair();
    try {
      const atBoard = loader(pty.b, disk);
      const stop = new AbortController();
      let stoppedAt = 0;
      const firstSend = flashOverSerial({
        image,
        port: pty.a,
        compress: false,
        signal: stop.signal,
        onProgress: (progress) => {
          if (!stop.signal.aborted && progress.offset >= bytes.length / 2) {
            stoppedAt = progress.offset;
            stop.abort();
          }
        },
      });
      await expect(firstSend).rejects.toMatchObject({ code: 'flash.serial-aborted' });
      const sent = await flashOverSerial({ image, port: pty.a, compress: false });
      expect(sent).toMatchObject({ resumedFrom: stoppedAt, bytesSent: bytes.length - stoppedAt });
      expect(loaderReport(await atBoard)).toMatchObject({ resumedFrom: stoppedAt, bytesWritten: bytes.length, frames: { hello: 2 } });
      await expectSameBytes(disk, bytes);
    } finally {
      await pty.close();
    }
  });

  it('NAKs a corrupted chunk and skips noise, garbled headers, lost and cut frames and lost ACKs, injected on the line: the image arrives byte-exact', async () => {
    const bytes = randomBytes(1 << 20, 5);
    const image = await imageFile(bytes);
    const disk = tempPath('disk.img');
    const garbage = Buffer.from([0x00, 0xff, ...frameMagic, 0x01, 0x00, ...frameMagic, ...randomBytes(40, 6), frameMagic[0] ?? 0]);
    let chunks = 0;
    let acks = 0;
    const injected: string[] = [];
    const line = await relay({
      toLoader: (frame, type) => {
        if (type !== frameType.data) return frame;
        chunks += 1;
        const copy = Buffer.from(frame);
        switch (chunks) {
          case 3:
            injected.push('payload bit flip');
            copy[headerBytes + 100] = (copy[headerBytes + 100] ?? 0) ^ 0x04;
            return copy;
          case 6:
            injected.push('noise before a frame');
            return Buffer.concat([garbage, copy]);
          case 9:
            injected.push('header bit flip');
            copy[5] = (copy[5] ?? 0) ^ 0x80;
            return copy;
          case 12:
            injected.push('frame lost');
            return undefined;
          case 15:
            injected.push('frame cut in half');
            return copy.subarray(0, copy.length >> 1);
          default:
            return frame;
        }
      },
      toSender: (frame, type) => {
        if (type !== frameType.ack) return frame;
        acks += 1;
        if (acks === 20) {
          injected.push('ACK lost');
          return undefined;
        }
        if (acks === 25) {
          injected.push('ACK bit flip');
          const copy = Buffer.from(frame);
          copy[headerBytes + 2] = (copy[headerBytes + 2] ?? 0) ^ 0x01;
          return copy;
        }
        return frame;
      },
    });
    try {
      const atBoard = loader(line.b, disk);
      const sent = await flashOverSerial({ image, port: line.a, compress: false, ackTimeoutMs: 1000 });
      const received = loaderReport(await atBoard);
      await expectSameBytes(disk, bytes);
      expect(injected).toEqual(['payload bit flip', 'noise before a frame', 'header bit flip', 'frame lost', 'frame cut in half', 'ACK lost', 'ACK bit flip']);
      // The flipped chunk was NAKed (crc) and resent; the header flip, the lost and the cut frame, and both ACKs timed out and were resent.
      expect(received.frames.corrupt).toBeGreaterThanOrEqual(1);
      expect(received.frames.nak).toBeGreaterThanOrEqual(1);
      expect(received.frames.duplicate).toBeGreaterThanOrEqual(2);
      expect(received.skippedBytes).toBeGreaterThanOrEqual(garbage.length);
      expect(sent.frames.naks).toBeGreaterThanOrEqual(1);
      expect(sent.frames.timeouts).toBeGreaterThanOrEqual(5);
      expect(sent.frames.retransmits).toBeGreaterThanOrEqual(6);
    } finally {
      await line.close();
    }
  });

  it('gets a 512 KiB image through random bit errors and bursts of noise in both directions', async () => {
    // Incompressible, so that every byte of it crosses the noisy line.
    const bytes = randomBytes(512 << 10, 7);
    const image = await imageFile(bytes);
    const disk = tempPath('disk.img');
    const next = random(8);
    let flips = 0;
    const line = await relay({
      noise: (chunk) => {
        const out = Buffer.from(chunk);
        for (let i = 0; i < out.length; i += 1) {
          if (next() < 1 / 20_000) {
            out[i] = (out[i] ?? 0) ^ (1 << Math.floor(next() * 8));
            flips += 1;
          }
        }
        return next() < 0.02 ? Buffer.concat([randomBytes(1 + Math.floor(next() * 64), flips + 1), out]) : out;
      },
    });
    try {
      const atBoard = loader(line.b, disk);
      const sent = await flashOverSerial({ image, port: line.a, chunkSize: 1024, ackTimeoutMs: 1000, retries: 20 });
      const received = loaderReport(await atBoard);
      await expectSameBytes(disk, bytes);
      expect(flips).toBeGreaterThan(0);
      console.log(`serial flash, noisy line: ${flips} bit flips; ${sent.frames.naks} NAKs, ${sent.frames.timeouts} timeouts, ${sent.frames.retransmits} chunks resent, ${received.skippedBytes} bytes skipped`);
    } finally {
      await line.close();
    }
  });

  it('ends in FAILED loader.digest-mismatch, on both ends, when the image changes while it is sent; a new run starts over', async () => {
    const bytes = randomBytes(1 << 20, 9);
    const image = await imageFile(bytes);
    const disk = tempPath('disk.img');
    const pty = await socatPtyPair();
    try {
      const atBoard = loader(pty.b, disk);
      let changed: Promise<void> | undefined;
      const send = flashOverSerial({
        image,
        port: pty.a,
        compress: false,
        onProgress: (progress) => {
          if (changed !== undefined || progress.phase !== 'sending') return;
          // Another program rewrites the image's last bytes after the sender hashed it.
          changed = open(image, 'r+').then(async (handle) => {
            await handle.write(Buffer.from('not the image that was announced'), 0, undefined, bytes.length - 100);
            await handle.close();
          });
        },
      });
      await expect(send).rejects.toMatchObject({ code: 'loader.digest-mismatch', data: { from: 'loader', length: bytes.length } });
      const failed = await atBoard;
      expect(failed.code).toBe(1);
      const refusal = JSON.parse(failed.stdout) as { ok: boolean; error: { code: string; message: string } };
      expect(refusal).toMatchObject({ ok: false, error: { code: 'loader.digest-mismatch' } });
      expect(refusal.error.message).toMatch(/hash to .* not to the .* the sender announced/);
      await expect(stat(defaultProgressFile(disk))).rejects.toMatchObject({ code: 'ENOENT' });

      const again = loader(pty.b, disk);
      const sent = await flashOverSerial({ image, port: pty.a });
      expect(sent.resumedFrom).toBe(0);
      loaderReport(await again);
      await expectSameBytes(disk, await readFile(image));
    } finally {
      await pty.close();
    }
  });

  it('osmose loader refuses a device without --progress, a port that is not there, and a missing --to', async () => {
    const pty = await socatPtyPair();
    try {
      expect(JSON.parse((await loader(pty.b, '/dev/null')).stdout)).toMatchObject({ ok: false, error: { code: 'loader.bad-option', hint: expect.any(String) as unknown } });
      const missing = await loader(join(dir, 'no-such-port'), tempPath('disk.img'));
      expect(missing.code).toBe(1);
      expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, error: { code: 'loader.port' } });
      expect((await runOsmose(['loader', pty.b])).code).toBe(2);
    } finally {
      await pty.close();
    }
  });

  it('osmose flash --serial refuses an image without a signed block map, and one changed after it was signed, before a byte is sent', async () => {
    const bytes = randomBytes(100_000, 12);
    const unsigned = await imageFile(bytes);
    const pty = await socatPtyPair();
    try {
      const heard: Buffer[] = [];
      const { serialportBus } = await import('../drivers/serial/serialportBus.js');
      const board = await serialportBus({ path: pty.b, baudRate: 115200 });
      board.onData((chunk) => heard.push(Buffer.from(chunk)));
      const missing = await flashCommand([unsigned, '--serial', pty.a, '--json']);
      expect(missing.code).toBe(1);
      expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, error: { code: 'bmap.missing' } });

      const changed = await imageFile(bytes);
      await writeBlockMap(changed, 'board-1', signer);
      const handle = await open(changed, 'r+');
      await handle.write(Buffer.from([1, 2, 3]), 0, 3, 5000);
      await handle.close();
      const refused = await flashCommand([changed, '--serial', pty.a, '--json']);
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { code: 'flash.image-digest' } });
      await sleep(100);
      expect(Buffer.concat(heard).length).toBe(0);
      await board.close();
    } finally {
      await pty.close();
    }
  });

  it('gives up with flash.serial-no-answer when no loader listens, and refuses a missing image', async () => {
    const image = await imageFile(randomBytes(1000, 10));
    const pty = await socatPtyPair();
    try {
      await expect(flashOverSerial({ image, port: pty.a, helloAttempts: 2, ackTimeoutMs: 200 })).rejects.toMatchObject({ code: 'flash.serial-no-answer', data: { attempts: 2 } });
      await expect(flashOverSerial({ image: tempPath('missing.img'), port: pty.a })).rejects.toMatchObject({ code: 'flash.serial-image' });
      await expect(flashOverSerial({ image, port: join(dir, 'no-such-port') })).rejects.toMatchObject({ code: 'flash.serial-port' });
    } finally {
      await pty.close();
    }
  });
});
