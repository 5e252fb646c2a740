import { join } from 'node:path';
import type { KernelFragment } from '../boot/KernelImage.js';
import { abiCodes } from '../host/abiCodes.js';
import { closeInterrupted } from './closeInterrupted.js';
import { listEpochs } from './listEpochs.js';
import { RecordKeeper, type RecordingEvent } from './RecordKeeper.js';
import { sweepExpired } from './sweepExpired.js';

/** What a board's health says of its recordings. */
export interface RecordsHealth {
  /** Epochs kept now, and how many of them are being recorded. */
  readonly epochs: number;
  readonly open: number;
  /** Epochs removed by retention since boot. */
  readonly expired: number;
  /** Epochs found open at boot and closed as interrupted. */
  readonly interrupted: number;
  readonly lastSweep: string | null;
  /** Why the last sweep failed, when it did (the board carries on; the next sweep tries again). */
  readonly sweepError: string | null;
}

export interface BoardRecords {
  /** Where the board's enclave host module keeps what is sealed (KernelDevices.keep). */
  readonly keeper: RecordKeeper;
  health(): Promise<RecordsHealth>;
  /** Stops the sweeps; the keeper's open epochs are ended by their fragments closing. */
  close(): void;
}

export interface BoardRecordsOptions {
  /** The board directory: recordings live in its `data/`. */
  readonly dir: string;
  readonly board: string;
  readonly fragments: readonly KernelFragment[];
  /** How often retention is applied while the board runs. Default 60 000 ms. */
  readonly sweepMs?: number;
  readonly onRecording?: (event: RecordingEvent) => void;
  readonly onLog?: (instance: string, level: number, message: string) => void;
  readonly now?: () => Date;
}

/**
 * A board's recordings at boot: the epochs a crash left open are closed as interrupted, expired
 * ones are swept at once and then every `sweepMs`, and the keeper for the new ones is made. A
 * sweep that fails is logged and reported in health, never a reason not to boot.
 */
export async function openBoardRecords(options: BoardRecordsOptions): Promise<BoardRecords> {
  const dataDir = join(options.dir, 'data');
  const now = options.now ?? (() => new Date());
  let expired = 0;
  let interrupted = 0;
  let lastSweep: string | null = null;
  let sweepError: string | null = null;
  const failed = (what: string, error: unknown): void => {
    sweepError = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    options.onLog?.('records', abiCodes.logLevel.Error, sweepError);
  };
  try {
    interrupted = (await closeInterrupted(dataDir)).closed;
  } catch (error) {
    failed('closing interrupted epochs failed', error);
  }
  const sweep = async (): Promise<void> => {
    try {
      const at = now();
      expired += (await sweepExpired(dataDir, at)).epochs.length;
      lastSweep = at.toISOString();
      sweepError = null;
    } catch (error) {
      failed('the retention sweep failed', error);
    }
  };
  await sweep();
  const timer = setInterval(() => void sweep(), options.sweepMs ?? 60_000);
  timer.unref();
  const keeper = new RecordKeeper({
    dataDir,
    board: options.board,
    fragments: options.fragments,
    ...(options.onRecording === undefined ? {} : { onRecording: options.onRecording }),
    now,
  });
  return {
    keeper,
    health: async () => {
      const epochs = await listEpochs(dataDir).catch(() => []);
      return { epochs: epochs.length, open: epochs.filter((e) => e.manifest.endedAt === null).length, expired, interrupted, lastSweep, sweepError };
    },
    close: () => clearInterval(timer),
  };
}
