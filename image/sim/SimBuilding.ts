import { join } from 'node:path';
import { readJson } from '../../builder/ledger/ledgerHistory.js';
import { ledgerLayout } from '../../builder/ledger/ledgerLayout.js';
import { readLedgerTree } from '../../builder/ledger/readLedgerTree.js';
import type { BuildPlan } from '../../builder/plan/BuildPlan.js';
import type { Level, SimBoard } from '../../drivers/index.js';
import { bootBoard, type BootedBoard, type BootOptions } from '../../kernel-js/boot/bootBoard.js';
import type { KernelDevice } from '../../kernel-js/boot/KernelImage.js';
import type { WatchdogStop } from '../../kernel-js/run/Watchdog.js';
import { InputError } from '../../lib/OsmoseError.js';
import { ledgerBoards, writeBoardDirectory } from '../boardDirectory/writeBoardDirectory.js';
import { simEnds, type SimEnd } from './simEnds.js';

/** What `osmose sim get` answers about one device. */
export type SimDeviceState =
  | { readonly board: string; readonly device: string; readonly driver: 'gpio-in' | 'gpio-out'; readonly line: string; readonly level: Level; readonly raw: Level }
  | { readonly board: string; readonly device: string; readonly driver: 'display'; readonly width: number; readonly height: number; readonly refreshes: number }
  | { readonly board: string; readonly device: string; readonly driver: 'audio-in'; readonly injecting: boolean }
  | { readonly board: string; readonly device: string; readonly driver: 'audio-out'; readonly playedBytes: number }
  | { readonly board: string; readonly device: string; readonly driver: string };

export interface SimBoardSummary {
  readonly board: string;
  readonly slot: string | null;
  readonly image: string | null;
  readonly running: boolean;
  readonly runs: number;
  readonly stops: number;
  readonly devices: readonly { readonly name: string; readonly driver: string }[];
}

export interface SimBuildingOptions extends Pick<BootOptions, 'trapStorm' | 'backoff'> {
  /** Where the boards' directories go; `.osmose/sim/boards` in the building by default. */
  readonly boardsDir?: string;
  /** Called as each board has booted. */
  readonly onBoard?: (board: string, index: number, total: number) => void;
  readonly onOutput?: (board: string, device: string, level: number) => void;
  readonly onLog?: (board: string, instance: string, level: number, message: string) => void;
  readonly onStop?: (board: string, stop: WatchdogStop) => void;
}

interface RunningBoard {
  readonly id: string;
  readonly booted: BootedBoard;
  readonly sim: SimBoard;
  readonly devices: Readonly<Record<string, KernelDevice>>;
  readonly ends: ReadonlyMap<string, SimEnd>;
}

/**
 * Every simulated board of a building's latest build, booted in this process: each board's
 * image is written to its own board directory (the unpacked image, as a flash would leave it)
 * and booted by kernel-js on sim buses. The outside world reaches the boards' devices by
 * board and device name, as building.yaml names them.
 */
export class SimBuilding {
  readonly #boards = new Map<string, RunningBoard>();
  /** Boards of the build that are not simulated (they run on hardware). */
  readonly skipped: readonly string[];
  readonly commit: string;

  private constructor(commit: string, skipped: readonly string[]) {
    this.commit = commit;
    this.skipped = skipped;
  }

  static async start(root: string, options: SimBuildingOptions = {}): Promise<SimBuilding> {
    const tree = await readLedgerTree(root);
    if (tree === undefined) throw new InputError('sim.no-build', `${root} has no build yet`, { hint: 'run osmose build first', data: { root } });
    const boardsDir = options.boardsDir ?? join(root, '.osmose', 'sim', 'boards');
    // The build's plan says which boards are simulated: only theirs are written and booted.
    const plan = await readJson<BuildPlan>(root, tree.commit, ledgerLayout.plan);
    const types = new Map(plan?.boards.map((board) => [board.id, board.type]));
    const boards = ledgerBoards(tree);
    const simulated = [];
    for (const board of boards.filter((id) => types.get(id) === 'sim')) simulated.push(await writeBoardDirectory(root, board, join(boardsDir, board), tree));
    const building = new SimBuilding(tree.commit, boards.filter((id) => types.get(id) !== 'sim'));
    try {
      for (const [index, { board, dir }] of simulated.entries()) {
        const booted = await bootBoard(dir, {
          ...(options.trapStorm === undefined ? {} : { trapStorm: options.trapStorm }),
          ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
          onOutput: (device, level) => options.onOutput?.(board, device, level),
          onLog: (instance, level, message) => options.onLog?.(board, instance, level, message),
          onStop: (stop) => options.onStop?.(board, stop),
        });
        const sim = booted.sim;
        const slot = booted.choice.slot;
        if (sim === undefined || slot === null) throw new InputError('sim.not-simulated', `${board} did not boot on sim buses`, { data: { board } });
        building.#boards.set(board, { id: board, booted, sim, devices: slot.config.devices, ends: simEnds(slot.config.devices, sim) });
        options.onBoard?.(board, index + 1, simulated.length);
      }
      await Promise.all([...building.#boards.values()].map((board) => board.booted.settled));
    } catch (error) {
      await building.close();
      throw error;
    }
    return building;
  }

  get boardIds(): string[] {
    return [...this.#boards.keys()];
  }

  /** The booted board, for tests and the control server. */
  board(id: string): BootedBoard {
    return this.#board(id).booted;
  }

  summaries(): SimBoardSummary[] {
    return [...this.#boards.values()].map(({ id, booted, devices }) => {
      const health = booted.watchdog.health();
      return {
        board: id,
        slot: booted.choice.slot?.slot ?? null,
        image: booted.choice.slot?.manifest.signed.image ?? null,
        running: health.running,
        runs: health.runs,
        stops: health.stops.length,
        devices: Object.entries(devices).map(([name, device]) => ({ name, driver: device.driver })),
      };
    });
  }

  get(board: string, device: string): SimDeviceState {
    const end = this.#end(board, device);
    switch (end.kind) {
      case 'digital': {
        const raw = end.gpio.level(end.line);
        return { board, device, driver: end.output ? 'gpio-out' : 'gpio-in', line: end.line, level: end.activeLow ? ((1 - raw) as Level) : raw, raw };
      }
      case 'display':
        return { board, device, driver: 'display', width: end.panel.width, height: end.panel.height, refreshes: end.panel.refreshes.length };
      case 'microphone':
        return { board, device, driver: 'audio-in', injecting: end.microphone.capturing };
      case 'speaker':
        return { board, device, driver: 'audio-out', playedBytes: end.speaker.played().byteLength };
      case 'other':
        return { board, device, driver: end.driver };
    }
  }

  /** Drives a digital input to a logical level (1: active), as the unikernel reads it. */
  set(board: string, device: string, level: Level): SimDeviceState {
    const end = this.#digitalInput(board, device);
    end.gpio.setInput(end.line, end.activeLow ? ((1 - level) as Level) : level);
    return this.get(board, device);
  }

  /**
   * A momentary press, whatever the pull: the line leaves its resting level (the pull's, low
   * without one) for `holdMs`, then returns to it. Resolves once the release has passed the
   * driver's debounce, so a press that follows is a press of its own, not a bounce.
   */
  async press(board: string, device: string, holdMs = 100): Promise<SimDeviceState> {
    const end = this.#digitalInput(board, device);
    const rest: Level = end.pull === 'up' ? 1 : 0;
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    end.gpio.setInput(end.line, (1 - rest) as Level);
    await sleep(holdMs);
    end.gpio.setInput(end.line, rest);
    await sleep(end.debounceMs + 1);
    return this.get(board, device);
  }

  /** What a display's panel shows, as PNG. */
  png(board: string, device: string): Uint8Array {
    const end = this.#end(board, device);
    if (end.kind !== 'display') throw notA(board, device, 'display');
    return end.panel.png();
  }

  /** Plays a WAV file into a microphone; false when the board is not capturing from it. */
  injectWav(board: string, device: string, wav: Uint8Array): boolean {
    const end = this.#end(board, device);
    if (end.kind !== 'microphone') throw notA(board, device, 'microphone (audio-in)');
    return end.microphone.injectWav(wav);
  }

  /** Everything a speaker has played, as WAV. */
  speakerWav(board: string, device: string): Uint8Array {
    const end = this.#end(board, device);
    if (end.kind !== 'speaker') throw notA(board, device, 'speaker (audio-out)');
    return end.speaker.wav();
  }

  async close(): Promise<void> {
    for (const board of this.#boards.values()) await board.booted.close();
    this.#boards.clear();
  }

  #board(id: string): RunningBoard {
    const board = this.#boards.get(id);
    if (board === undefined) {
      throw new InputError('sim.unknown-board', `no simulated board ${id} is running`, { hint: `running: ${this.boardIds.join(', ') || 'none'}`, data: { board: id } });
    }
    return board;
  }

  #end(board: string, device: string): SimEnd {
    const running = this.#board(board);
    const end = running.ends.get(device);
    if (end === undefined) {
      throw new InputError('sim.unknown-device', `${board} has no device ${device}`, { hint: `its devices: ${Object.keys(running.devices).join(', ') || 'none'}`, data: { board, device } });
    }
    return end;
  }

  #digitalInput(board: string, device: string): Extract<SimEnd, { kind: 'digital' }> {
    const end = this.#end(board, device);
    if (end.kind !== 'digital') throw notA(board, device, 'digital input (gpio-in)');
    if (end.output) throw new InputError('sim.output', `${board}.${device} is an output: the unikernel drives it`, { hint: `read it with osmose sim get ${board}.${device}`, data: { board, device } });
    return end;
  }
}

function notA(board: string, device: string, what: string): InputError {
  return new InputError('sim.wrong-device', `${board}.${device} is not a ${what}`, { data: { board, device, what } });
}
