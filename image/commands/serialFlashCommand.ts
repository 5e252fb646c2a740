import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { blockMapPath } from '../flash/BlockMap.js';
import { readBlockMap } from '../flash/readBlockMap.js';
import { readTargetsKey } from '../flash/readTargetsKey.js';
import { flashOverSerial, type SerialFlashProgress, type SerialFlashReport } from '../flash/serialFlash.js';

/** The options `--serial` brings to `osmose flash`, as commander parses them. */
export interface SerialFlashCliOptions {
  readonly serial: string;
  readonly baud?: number;
  readonly chunkSize?: number;
  readonly compress?: boolean;
  readonly json?: boolean;
}

/**
 * Adds `--serial PORT [--baud N] [--chunk-size BYTES] [--no-compress]` to a flash command.
 * The command's action then calls runSerialFlash when `options.serial` is set.
 */
export function addSerialFlashOptions(command: Command): Command {
  return command
    .option('--serial <port>', "stream the image to the board's serial loader on this port (osmose loader PORT --to DISK on the board)")
    .option('--baud <n>', 'with --serial: the line speed, the same as the loader (default 115200)', wholeNumber)
    .option('--chunk-size <bytes>', 'with --serial: image bytes per frame (default 4096)', wholeNumber)
    .option('--no-compress', 'with --serial: send every chunk as it is (no DEFLATE, no runs of zeros)');
}

/**
 * The action of `osmose flash IMAGE --serial PORT`, run inside the building: the image's
 * signed block map (IMAGE.bmap.json, checked against keys/targets.json as `--to` does) must
 * vouch for its length and SHA-256 before a byte is sent; then a progress bar on a terminal,
 * and the report.
 */
export async function runSerialFlash(cli: CliContext, image: string, options: SerialFlashCliOptions): Promise<SerialFlashReport> {
  const json = options.json === true;
  const path = resolve(cli.cwd(), image);
  const map = await readBlockMap(blockMapPath(path), await readTargetsKey(findBuildingRoot(cli.cwd())));
  const bar = !json && cli.interactive ? progressBar(cli) : undefined;
  let report: SerialFlashReport;
  try {
    report = await flashOverSerial({
      image: path,
      expected: { length: map.image.bytes, sha256: map.image.sha256 },
      port: options.serial,
      ...(options.baud === undefined ? {} : { baud: options.baud }),
      ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
      ...(options.compress === undefined ? {} : { compress: options.compress }),
      ...(bar === undefined ? {} : { onProgress: bar.update }),
    });
  } finally {
    bar?.stop();
  }
  if (json) {
    printJson(cli, report);
    return report;
  }
  const seconds = report.ms / 1000;
  cli.stdout(
    `flashed ${map.board}'s image ${report.image} (${report.length} bytes, sha256 ${report.sha256.slice(0, 16)}…) over ${options.serial}; the loader verified it\n` +
      `  ${report.resumedFrom > 0 ? `resumed at byte ${report.resumedFrom}; ` : ''}${report.bytesSent} bytes sent in ${seconds.toFixed(2)} s (${kib(report.bytesPerSecond)} KiB/s of image, ${kib(report.wireBytesPerSecond)} KiB/s on the line); ` +
      `${report.frames.retransmits} chunks resent, ${report.frames.naks} NAKs, ${report.frames.timeouts} timeouts\n`,
  );
  return report;
}

function progressBar(cli: CliContext): { update: (progress: SerialFlashProgress) => void; stop: () => void } {
  const bar = new SingleBar({
    format: ' {phase} [{bar}] {percentage}% {value}/{total} bytes',
    stream: { write: (text: string) => cli.stderr(text), isTTY: true } as unknown as NodeJS.WritableStream,
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update: (progress) => {
      const phase = progress.phase.padEnd(10);
      if (!started) {
        bar.start(progress.length, progress.offset, { phase });
        started = true;
      }
      bar.update(progress.offset, { phase });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function kib(bytesPerSecond: number): string {
  return (bytesPerSecond / 1024).toFixed(1);
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Give a whole number, 1 or more.');
  return n;
}
