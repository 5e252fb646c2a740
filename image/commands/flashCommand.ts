import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { checkImageFreshness } from '../flash/checkImageFreshness.js';
import { flashImage, type FlashProgress, type FlashReport } from '../flash/flashImage.js';
import { readTargetsKey } from '../flash/readTargetsKey.js';
import { addSerialFlashOptions, runSerialFlash, type SerialFlashCliOptions } from './serialFlashCommand.js';

export interface FlashToOptions {
  readonly to?: string;
  readonly json?: boolean;
  readonly force?: boolean;
  readonly allowExpired?: boolean;
}

/**
 * `osmose flash IMAGE --to FILE|DEVICE`: checks the image's signed block map against the
 * building's keys/targets.json and writes it as bmaptool would (docs/image-format.md, "The
 * block map"). `osmose flash IMAGE --serial PORT` streams it to a board's serial loader
 * instead (serialFlashCommand.ts). Returns the command.
 */
export function registerFlashCommand(program: Command, cli: CliContext): Command {
  const command = program
    .command('flash')
    .description('write a signed board image to a file or a disk (only the blocks that hold data, skipping those already there, each read back and checked), or stream it to a board\'s serial loader')
    .argument('<image>', 'an image made by osmose image, with its signed block map IMAGE.bmap.json beside it')
    .option('--to <file|device>', 'where to write it: an image file (created or rewritten) or a block device such as /dev/sdX or /dev/mmcblkN')
    .option('--force', 'with --to: write a device even while it is mounted (never the disk the system runs from)')
    .option('--allow-expired', 'flash an image whose update metadata has expired (it may be superseded)');
  addSerialFlashOptions(command).option('--json', 'print the report as JSON (for --to: { image, to, bytes, written, skipped, verified, seconds })');
  command.action(async (image: string, options: FlashToOptions & Partial<SerialFlashCliOptions>) => {
    const usage = (message: string): never => command.error(`error: ${message}`, { exitCode: 2, code: 'flash.usage' });
    if (options.to !== undefined && options.serial !== undefined) usage('give --to or --serial, not both');
    if ((options.to !== undefined || options.serial !== undefined) && options.allowExpired !== true) await checkImageFreshness(resolve(cli.cwd(), image));
    if (options.serial !== undefined) await runSerialFlash(cli, image, { ...options, serial: options.serial });
    else if (options.to !== undefined) await flashTo(cli, image, { ...options, to: options.to });
    else usage('say where to flash the image: --to FILE|DEVICE, or --serial PORT');
  });
  return command;
}

/** The action of `osmose flash IMAGE --to …`, for a command that also has other modes. */
export async function flashTo(cli: CliContext, image: string, options: FlashToOptions & { readonly to: string }): Promise<FlashReport> {
  const root = findBuildingRoot(cli.cwd());
  const publicKey = await readTargetsKey(root);
  const json = options.json === true;
  const bar = !json && cli.interactive ? progressBar(cli) : undefined;
  let report: FlashReport;
  try {
    report = await flashImage({
      image: resolve(cli.cwd(), image),
      to: resolve(cli.cwd(), options.to),
      publicKey,
      force: options.force === true,
      ...(bar === undefined ? {} : { onProgress: bar.update }),
    });
  } finally {
    bar?.stop();
  }
  if (json) {
    printJson(cli, { ok: true, ...report });
    return report;
  }
  const unmapped = report.bytes - report.written - report.skipped;
  cli.stdout(
    `flashed ${report.board}'s image to ${report.to} in ${report.seconds.toFixed(2)} s: ${mib(report.bytes)} image, ${mib(report.written)} written, ` +
      `${mib(report.skipped)} already there, ${mib(unmapped)} of empty blocks left alone; ${mib(report.verified)} read back and verified\n`,
  );
  return report;
}

const labels: Record<FlashProgress['phase'], string> = { check: 'checking ', write: 'writing  ', verify: 'verifying' };

/** A bar on the terminal per phase: checking the image, writing, reading back. */
function progressBar(cli: CliContext): { update: (progress: FlashProgress) => void; stop: () => void } {
  const bar = new SingleBar({
    format: ' {phase} [{bar}] {percentage}% {done}/{all} MiB',
    stream: { write: (text: string) => cli.stderr(text), isTTY: true } as unknown as NodeJS.WritableStream,
    hideCursor: true,
    clearOnComplete: true,
  });
  let phase: FlashProgress['phase'] | undefined;
  return {
    update: (progress) => {
      const payload = { phase: labels[progress.phase], done: (progress.done / 2 ** 20).toFixed(1), all: (progress.total / 2 ** 20).toFixed(1) };
      if (phase !== progress.phase) {
        if (phase !== undefined) bar.stop();
        bar.start(Math.max(progress.total, 1), 0, payload);
        phase = progress.phase;
      }
      bar.update(progress.done, payload);
    },
    stop: () => {
      if (phase !== undefined) bar.stop();
      phase = undefined;
    },
  };
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
