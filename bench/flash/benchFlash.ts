import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { tufPublicKey } from '../../builder/init/tufPublicKey.js';
import { blockMapPath, mappedBytes } from '../../image/flash/BlockMap.js';
import { flashImage, type FlashReport } from '../../image/flash/flashImage.js';
import { makeBlockMap } from '../../image/flash/makeBlockMap.js';
import { ms } from '../measure.js';
import { diskImage } from './diskImage.js';

const run = promisify(execFile);
const runs = 7;
const MiB = 2 ** 20;

/**
 * Flashing a 64 MiB board image to a file, against `dd bs=4M conv=fsync` of the same image in
 * the same run, both ending with everything on the disk; then flashing it again onto the same
 * file (every range already there, so only read and checked). A second image with no empty
 * block shows what the reading back costs when nothing can be left out.
 */
export async function benchFlash(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'osmose-bench-flash-'));
  try {
    const { privateKey } = generateKeyPairSync('ed25519');
    const { keyid, key } = tufPublicKey(privateKey);
    const signer = { keyid, key: privateKey };
    const images = [
      { label: 'a board image', bytes: diskImage(64 * MiB) },
      { label: 'the same size, all data', bytes: randomBytes(64 * MiB) },
    ];

    console.log(`flash: a 64 MiB image to a file on this machine's disk, median of ${runs} runs each, alternating with the baseline`);
    for (const [index, { label, bytes }] of images.entries()) {
      const image = join(dir, `image-${index}.img`);
      await writeFile(image, bytes);
      const mapStart = performance.now();
      const signed = await makeBlockMap(image, 'bench', signer);
      const mapMs = performance.now() - mapStart;
      await writeFile(blockMapPath(image), JSON.stringify(signed));
      const out = join(dir, 'card.img');
      const ddOut = join(dir, 'dd.img');

      const flash = (): Promise<FlashReport> => flashImage({ image, to: out, publicKey: key.keyval.public });
      const dd = async (): Promise<void> => {
        await run('dd', [`if=${image}`, `of=${ddOut}`, 'bs=4M', 'conv=fsync', 'status=none']);
      };
      const timed = async (task: () => Promise<unknown>): Promise<number> => {
        const start = performance.now();
        await task();
        return performance.now() - start;
      };
      // Warm the page cache with the image for both, and the code paths.
      await dd();
      await flash();
      const osmose: number[] = [];
      const baseline: number[] = [];
      const again: number[] = [];
      let first: FlashReport | undefined;
      let second: FlashReport | undefined;
      for (let i = 0; i < runs; i++) {
        await rm(out, { force: true });
        await rm(ddOut, { force: true });
        const pair = [
          async () => {
            const start = performance.now();
            first = await flash();
            osmose.push(performance.now() - start);
          },
          async () => baseline.push(await timed(dd)),
        ];
        for (const task of i % 2 === 0 ? pair : pair.reverse()) await task();
        const start = performance.now();
        second = await flash();
        again.push(performance.now() - start);
      }
      if (first === undefined || second === undefined || second.written !== 0) throw new Error('the benchmark flashes did not run as expected');

      const mapped = mappedBytes(signed.signed);
      const flashMs = median(osmose);
      const ddMs = median(baseline);
      const againMs = median(again);
      console.log(`  ${label}: ${mib(mapped)} of ${mib(bytes.length)} mapped (${((mapped / bytes.length) * 100).toFixed(0)}%) in ${signed.signed.ranges.length} ranges; its block map made in ${ms(mapMs)}`);
      console.log(`    baseline  dd bs=4M conv=fsync                     ${ms(ddMs)}  ${mbps(bytes.length, ddMs)}`);
      console.log(`    osmose    flash (check, write, fsync, read back)  ${ms(flashMs)}  ${mbps(bytes.length, flashMs)} of image, ${mib(first.written)} written`);
      console.log(`    osmose    flash again (all ${mib(second.skipped)} already there)   ${ms(againMs)}  ${mbps(bytes.length, againMs)} of image, nothing written`);
      console.log(`    ratio     flash ${ratio(ddMs, flashMs)} dd's speed; flash again ${ratio(ddMs, againMs)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

function mbps(bytes: number, milliseconds: number): string {
  return `${(bytes / 1e6 / (milliseconds / 1000)).toFixed(0)} MB/s`;
}

function ratio(baselineMs: number, subjectMs: number): string {
  return `${(baselineMs / subjectMs).toFixed(2)}×`;
}
