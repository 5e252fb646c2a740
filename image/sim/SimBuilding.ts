import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readJson } from '../../builder/ledger/ledgerHistory.js';
import { ledgerLayout } from '../../builder/ledger/ledgerLayout.js';
import { readLedgerTree } from '../../builder/ledger/readLedgerTree.js';
import type { BuildPlan } from '../../builder/plan/BuildPlan.js';
import type { Level, SimBoard } from '../../drivers/index.js';
import { access } from 'node:fs/promises';
import { BoardAgent, type AgentOptions } from '../../kernel-js/agent/BoardAgent.js';
import type { GatewayAddress } from '../../kernel-js/agent/agentCredentials.js';
import type { Admission, Credential, GatewayEvent } from '../../kernel-js/net/gatewayTypes.js';
import type { UpdateState } from '../../kernel-js/update/updateTable.js';
import { bootBoard, type BootedBoard, type BootOptions } from '../../kernel-js/boot/bootBoard.js';
import type { CircuitMuxCounters } from '../../kernel-js/circuit/CircuitMux.js';
import { memoryDatagramNetwork } from '../../kernel-js/circuit/memoryDatagramNetwork.js';
import { memoryStreamAddresses } from '../../kernel-js/stream/memoryStreamAddresses.js';
import type { KernelDevice } from '../../kernel-js/boot/KernelImage.js';
import type { WatchdogStop } from '../../kernel-js/run/Watchdog.js';
import { InputError } from '../../lib/OsmoseError.js';
import { ledgerBoards, writeBoardDirectory } from '../boardDirectory/writeBoardDirectory.js';
import type { SimJournal } from './SimJournal.js';
import { simEnds, type SimEnd } from './simEnds.js';
import { syntheticVoice } from './syntheticVoice.js';

/** Where the simulated boards' directories are, in the building: `.osmose/sim/boards/BOARD`. */
export const simBoardsDir = (root: string): string => join(root, '.osmose', 'sim', 'boards');

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
  /** Its control circuits' counters (sent, accepted, refused and why); null when it ends none. */
  readonly circuits: CircuitMuxCounters | null;
}

export interface SimBuildingOptions extends Pick<BootOptions, 'trapStorm' | 'backoff'> {
  /** Where the boards' directories go; `.osmose/sim/boards` in the building by default. */
  readonly boardsDir?: string;
  /** Called as each board has booted. */
  readonly onBoard?: (board: string, index: number, total: number) => void;
  readonly onOutput?: (board: string, device: string, level: number) => void;
  readonly onLog?: (board: string, instance: string, level: number, message: string) => void;
  readonly onStop?: (board: string, stop: WatchdogStop) => void;
  /**
   * Run each board under its update agent, connected to this gateway (`osmose sim --listen` or
   * `--gateway`): the boards enrol, send heartbeats and take rollouts as real boards do. Their
   * directories are then kept between runs, as a board keeps its disk; only a missing one is
   * written from the latest build. `credentials` writes a board's identity files into its
   * directory (image/diskImage/writeBoardCredentials).
   */
  readonly agents?: SimAgents;
  /** Only these boards (all simulated boards of the build by default). */
  readonly only?: (board: string) => boolean;
  /** Where outputs, presses, recordings, clips played and log lines are journalled, timed (osmose sim timeline). */
  readonly journal?: SimJournal;
}

export interface SimAgents extends Pick<AgentOptions, 'health' | 'heartbeatMs' | 'reconnect'> {
  readonly gateway: GatewayAddress;
  /**
   * Writes the board's identity key, its certificate and the building CA into its directory;
   * or, given `{ many }`, every board's at once once their directories are written
   * (writeBoardCredentialsMany: one identities commit for a whole building).
   */
  readonly credentials: ((board: string, dir: string) => Promise<void>) | { readonly many: (boards: readonly { readonly board: string; readonly dir: string }[]) => Promise<void> };
  readonly onEvent?: (board: string, event: GatewayEvent) => void;
  readonly onState?: (board: string, state: UpdateState) => void;
}

interface RunningBoard {
  readonly id: string;
  /** The board as booted now: an agent boots it again when it switches slots. */
  readonly booted: () => BootedBoard;
  readonly agent: BoardAgent | undefined;
}

/**
 * Every simulated board of a building's latest build, booted in this process: each board's
 * image is written to its own board directory (the unpacked image, as a flash would leave it)
 * and booted by kernel-js on sim buses. The outside world reaches the boards' devices by
 * board and device name, as building.yaml names them.
 */
export class SimBuilding {
  readonly #boards = new Map<string, RunningBoard>();
  #journal: SimJournal | undefined;
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
    const boardsDir = options.boardsDir ?? simBoardsDir(root);
    // The build's plan says which boards are simulated: only theirs are written and booted.
    const plan = await readJson<BuildPlan>(root, tree.commit, ledgerLayout.plan);
    const types = new Map(plan?.boards.map((board) => [board.id, board.type]));
    const boards = ledgerBoards(tree);
    const agents = options.agents;
    const simulated: { readonly board: string; readonly dir: string }[] = [];
    for (const board of boards.filter((id) => types.get(id) === 'sim' && (options.only?.(id) ?? true))) {
      const dir = join(boardsDir, board);
      const kept = agents !== undefined && (await access(join(dir, 'board.json')).then(() => true, () => false));
      if (!kept) await writeBoardDirectory(root, board, dir, tree);
      if (typeof agents?.credentials === 'function') await agents.credentials(board, dir);
      simulated.push({ board, dir });
    }
    if (agents !== undefined && typeof agents.credentials !== 'function') await agents.credentials.many(simulated);
    const building = new SimBuilding(tree.commit, boards.filter((id) => types.get(id) !== 'sim'));
    // The boards' control circuits run over one in-process network: the same sealed datagrams,
    // with no socket per board, and no port of the machine taken.
    const network = memoryDatagramNetwork();
    // Their stream circuits are real TCP on loopback, on ports the system picks: two simulated
    // buildings on one machine never contend for the planned ones.
    const streamAddresses = memoryStreamAddresses();
    const journal = options.journal;
    building.#journal = journal;
    try {
      for (const [index, { board, dir }] of simulated.entries()) {
        const boot: BootOptions = {
          ...(options.trapStorm === undefined ? {} : { trapStorm: options.trapStorm }),
          ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
          onOutput: (device, level) => {
            journal?.record({ kind: 'output', board, device, level });
            options.onOutput?.(board, device, level);
          },
          onLog: (instance, level, message) => {
            journal?.record({ kind: 'log', board, instance, level, message });
            options.onLog?.(board, instance, level, message);
          },
          onPlay: (device, clip, person) => journal?.record({ kind: 'played', board, device, clip, person }),
          onRecording: (event) => journal?.record({ kind: 'recording', board, device: event.device, epoch: event.epoch, change: event.kind, members: event.members, reason: event.reason ?? '' }),
          onStop: (stop) => options.onStop?.(board, stop),
          datagrams: (address) => network.port(address),
          streamAddresses,
        };
        if (agents === undefined) {
          const booted = await bootBoard(dir, boot);
          if (booted.sim === undefined) throw new InputError('sim.not-simulated', `${board} did not boot on sim buses`, { data: { board } });
          building.#boards.set(board, { id: board, booted: () => booted, agent: undefined });
        } else {
          const { onEvent, onState } = agents;
          const agent = await BoardAgent.start({
            dir,
            gateway: agents.gateway,
            boot,
            ...(agents.health === undefined ? {} : { health: agents.health }),
            ...(agents.heartbeatMs === undefined ? {} : { heartbeatMs: agents.heartbeatMs }),
            ...(agents.reconnect === undefined ? {} : { reconnect: agents.reconnect }),
            onEvent: (event) => {
              // A board's erasure is part of the building's story; its other reports are the gateway's.
              if (event.kind === 'erased') journal?.record({ kind: 'erased', board, detail: event.detail });
              onEvent?.(board, event);
            },
            ...(onState === undefined ? {} : { onState: (state) => onState(board, state) }),
          });
          building.#boards.set(board, { id: board, booted: () => agent.board, agent });
        }
        options.onBoard?.(board, index + 1, simulated.length);
      }
      await Promise.all([...building.#boards.values()].map((board) => board.booted().settled));
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
    return this.#board(id).booted();
  }

  /** The board's update agent, when the boards run under agents. */
  agent(id: string): BoardAgent | undefined {
    return this.#board(id).agent;
  }

  summaries(): SimBoardSummary[] {
    return [...this.#boards.values()].map((running) => {
      const { id } = running;
      const booted = running.booted();
      const devices = booted.choice.slot?.config.devices ?? {};
      const health = booted.watchdog.health();
      return {
        board: id,
        slot: booted.choice.slot?.slot ?? null,
        image: booted.choice.slot?.manifest.signed.image ?? null,
        running: health.running,
        runs: health.runs,
        stops: health.stops.length,
        devices: Object.entries(devices).map(([name, device]) => ({ name, driver: device.driver })),
        circuits: booted.circuits(),
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
    this.#journal?.record({ kind: 'press', board, device });
    end.gpio.setInput(end.line, (1 - rest) as Level);
    await sleep(holdMs);
    end.gpio.setInput(end.line, rest);
    await sleep(end.debounceMs + 1);
    return this.get(board, device);
  }

  /**
   * Someone shows `credential` (a badge id or a password) to `board`: its update agent hands it
   * to the gateway's front desk over the board's session, which admits them only if the board
   * is in the building's entrance (`rpc.capability-denied` otherwise). `to` is where they are
   * headed, `temperature` the temperature they prefer (°C). The credential goes no further than
   * the gateway: nothing here keeps or journals it.
   */
  async badge(board: string, credential: Credential, options: { readonly to?: string; readonly temperature?: number } = {}): Promise<Admission> {
    const agent = this.#board(board).agent;
    if (agent === undefined) {
      throw new InputError('sim.no-agent', `${board} runs without its update agent, so no gateway hears what is shown to it`, {
        hint: 'run the simulator with the gateway (osmose sim --listen HOST:PORT, or --gateway HOST:PORT)',
        data: { board },
      });
    }
    return agent.admit(credential, options.to, options.temperature === undefined ? undefined : { temperature: options.temperature });
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

  /**
   * A talker at one seat of a microphone array says something for `seconds` (syntheticVoice),
   * delivered as a microphone delivers it: a 20 ms chunk every 20 ms, in real time, so what
   * carries it (a stream circuit's bandwidth reservation) sees a real talker's rate. Resolves
   * with whether the board was capturing from it at the start.
   */
  async talk(board: string, device: string, channel: number, seconds: number): Promise<boolean> {
    const end = this.#end(board, device);
    if (end.kind !== 'microphone') throw notA(board, device, 'microphone (audio-in)');
    const settings = this.#board(board).booted().choice.slot?.config.devices[device]?.settings ?? {};
    const rate = typeof settings['rate'] === 'number' ? settings['rate'] : 16_000;
    const channels = typeof settings['channels'] === 'number' ? settings['channels'] : 1;
    if (!Number.isInteger(channel) || channel < 1 || channel > channels) {
      throw new InputError('sim.bad-channel', `${board}.${device} has ${channels} channel${channels === 1 ? '' : 's'}; there is no channel ${channel}`, { hint: `name a channel from 1 to ${channels}`, data: { board, device, channel } });
    }
    if (!(seconds > 0 && seconds <= 60)) throw new InputError('sim.bad-seconds', `a talker talks for more than 0 and at most 60 seconds, not ${seconds}`, { data: { seconds } });
    if (!end.microphone.capturing) return false;
    this.#journal?.record({ kind: 'talk', board, device, channel, seconds });
    const pcm = syntheticVoice({ rate, channels, channel, seconds });
    const chunkMs = 20;
    const step = Math.round((rate * chunkMs) / 1000) * channels;
    const start = performance.now();
    for (let at = 0, index = 0; at < pcm.length; at += step, index++) {
      // Each chunk at its own time since the start, so timer lateness does not add up.
      const wait = start + index * chunkMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      end.microphone.inject(pcm.slice(at, at + step));
    }
    return true;
  }

  /** Everything a speaker has played, as WAV. */
  speakerWav(board: string, device: string): Uint8Array {
    const end = this.#end(board, device);
    if (end.kind !== 'speaker') throw notA(board, device, 'speaker (audio-out)');
    return end.speaker.wav();
  }

  async close(): Promise<void> {
    for (const board of this.#boards.values()) await (board.agent === undefined ? board.booted().close() : board.agent.close());
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
    const booted = this.#board(board).booted();
    const devices: Readonly<Record<string, KernelDevice>> = booted.choice.slot?.config.devices ?? {};
    const sim: SimBoard | undefined = booted.sim;
    const end = sim === undefined ? undefined : simEnds(devices, sim).get(device);
    if (end === undefined) {
      throw new InputError('sim.unknown-device', `${board} has no device ${device}`, { hint: `its devices: ${Object.keys(devices).join(', ') || 'none'}`, data: { board, device } });
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
