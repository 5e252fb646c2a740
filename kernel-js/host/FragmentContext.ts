import type { KernelBoardConfig, KernelFragment } from '../boot/KernelImage.js';
import type { KernelDevices } from './KernelDevices.js';

/** What a fragment's host functions reach: the board, its devices, time and the event queue. */
export interface FragmentContext {
  readonly config: KernelBoardConfig;
  readonly fragment: KernelFragment;
  readonly devices: KernelDevices;
  /** The board's memory ceiling, in 64 KiB pages: the module's memory cannot grow past it. */
  readonly memoryPages: number;
  /** How long one call into the module may run (the board's limits.eventBudgetMs). */
  readonly budgetMs: number;
  readonly log: (level: number, message: string) => void;
  readonly now: () => number;
  readonly monotonic: () => number;
  /** Calls `fire` after delayMs, then every periodMs (0: once); returns a cancel. */
  readonly schedule: (delayMs: number, periodMs: number, fire: () => void) => () => void;
  /** Queues an event for this fragment. */
  readonly raise: (kind: number, source: number, value: number) => void;
  /** Milliseconds for the budget's wall-clock check (performance.now when omitted). */
  readonly clock?: () => number;
}
