import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { SerialLine } from '../../drivers/serial/SerialLine.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { runLoader, type LoaderReport } from './runLoader.js';
import { SerialFlashError } from './SerialFlashError.js';

/**
 * `osmose loader PORT --to DISK`: the board's serial bootloader, the receiving end of
 * `osmose flash IMAGE --serial PORT` (docs/serial-flashing.md).
 */
export function registerLoaderCommand(program: Command, cli: CliContext): void {
  program
    .command('loader')
    .argument('<port>', 'the serial device to listen on (/dev/ttyS0, /dev/ttyAMA0, a pty)')
    .description("receive an image over a serial line into the board's disk, resuming after a cut line, and verify its SHA-256 (the board's end of osmose flash --serial)")
    .requiredOption('--to <disk>', 'the file or block device to write the image into')
    .option('--baud <n>', 'the line speed; the same as the sender', wholeNumber, 115_200)
    .option('--progress <file>', 'the progress record that lets a cut transfer resume (default: DISK.osmose-loader.json)')
    .option('--idle-timeout <seconds>', 'give up when no frame arrives for this long (default: wait for ever)', wholeNumber)
    .option('--max-chunk <bytes>', 'the largest chunk to accept', wholeNumber)
    .option('--json', 'print the report as JSON')
    .action(async (port: string, options: { to: string; baud: number; progress?: string; idleTimeout?: number; maxChunk?: number; json?: boolean }) => {
      const file = resolve(cli.cwd(), options.to);
      // serialport loads a native addon: only now, never when the shim boots (image/bundleShim.ts).
      const { serialportBus } = await import('../../drivers/serial/serialportBus.js');
      let serial: SerialLine;
      try {
        serial = new SerialLine({ bus: await serialportBus({ path: port, baudRate: options.baud }), port });
      } catch (cause) {
        throw new SerialFlashError('loader.port', `cannot open the serial port ${port}: ${(cause as Error).message}`, { hint: 'check the port name and that no other program holds it', cause, data: { port } });
      }
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let report: LoaderReport;
      try {
        if (options.json !== true) cli.stderr(`osmose loader: listening on ${port} at ${options.baud} baud, writing ${file}\n`);
        report = await runLoader({
          serial,
          file,
          ...(options.progress === undefined ? {} : { progressFile: resolve(cli.cwd(), options.progress) }),
          ...(options.idleTimeout === undefined ? {} : { idleTimeoutMs: options.idleTimeout * 1000 }),
          ...(options.maxChunk === undefined ? {} : { maxChunkSize: options.maxChunk }),
          signal: stop.signal,
          onSession: (session) => {
            if (options.json === true) return;
            cli.stderr(
              `osmose loader: receiving ${session.length} bytes (sha256 ${session.sha256.slice(0, 16)}…) in chunks of ${session.chunkSize}, ${session.offset === 0 ? 'from the start' : `resuming at byte ${session.offset}`}\n`,
            );
          },
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await serial.close();
      }
      if (options.json === true) {
        printJson(cli, report);
        return;
      }
      const seconds = report.ms / 1000;
      cli.stdout(
        `received ${report.length} bytes into ${report.file}${report.resumedFrom > 0 ? `, resumed at byte ${report.resumedFrom}` : ''}; sha256 ${report.sha256} verified\n` +
          `  ${report.bytesWritten} bytes written in ${seconds.toFixed(2)} s; ${report.frames.data} chunks, ${report.frames.duplicate} repeated, ${report.frames.nak} NAKs, ${report.frames.corrupt} corrupt frames, ${report.skippedBytes} bytes of noise skipped\n`,
      );
    });
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Give a whole number, 1 or more.');
  return n;
}
