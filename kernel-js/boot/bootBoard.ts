import { statSync, type Stats } from 'node:fs';
import { boardsById, gpioLineNames } from '../../boards/index.js';
import { simBoardBuses, type Display, type SimBoard } from '../../drivers/index.js';
import { InputError } from '../../lib/OsmoseError.js';
import { boardCircuitAddress, circuitBindAddress } from '../circuit/boardCircuitAddress.js';
import type { CircuitConfig } from '../circuit/CircuitConfig.js';
import { circuitEndOf } from '../circuit/circuitEndOf.js';
import { CircuitMux, type CircuitMuxCounters } from '../circuit/CircuitMux.js';
import type { DatagramPort } from '../circuit/DatagramPort.js';
import { udpDatagramPort } from '../circuit/udpDatagramPort.js';
import { parseGatewayAddress } from '../agent/parseGatewayAddress.js';
import { KernelError } from '../KernelError.js';
import { openStreamCircuit } from '../stream/openStreamCircuit.js';
import type { StreamLink, StreamLinkCounters } from '../stream/StreamLink.js';
import { StreamListener } from '../stream/StreamListener.js';
import type { StreamAddressBook } from '../stream/memoryStreamAddresses.js';
import type { KernelPresence } from '../host/KernelPresence.js';
import { openBoardDevices, type BoardDevices } from '../host/openBoardDevices.js';
import { openBoardRecords, type RecordsHealth } from '../record/openBoardRecords.js';
import type { RecordingEvent } from '../record/RecordKeeper.js';
import { Watchdog, type WatchdogHealth, type WatchdogOptions, type WatchdogStop } from '../run/Watchdog.js';
import type { BoardState } from './BoardState.js';
import { readBoardState, withStop, writeBoardState } from './boardStateFile.js';
import { chooseSlot, type BootChoice } from './chooseSlot.js';
import { confirmedState } from './confirmedState.js';
import { enclaveSecret } from './enclaveSecret.js';
import { realBoardBuses } from './realBoardBuses.js';
import { ScriptEngine } from '../run/ScriptEngine.js';
import { scriptEngineModule } from '../../userland/abi/scriptContainer.js';

export interface BootHealth {
  readonly board: string;
  readonly type: string;
  readonly slot: string | null;
  readonly row: string;
  readonly image: string | null;
  readonly state: BoardState;
  readonly unikernel: WatchdogHealth;
  /** Its circuits' counters (sent, accepted, and what was refused and why); null when it ends none. */
  readonly circuits: CircuitMuxCounters | null;  /** Its audio stream links' counters by circuit (connections, busy sends, forged frames…); empty when it has none. */
  readonly streams: Readonly<Record<string, StreamLinkCounters>>;
  /** Its recordings: epochs kept and open, removed by retention, closed as interrupted at boot. */
  readonly records: RecordsHealth;
}

export interface BootedBoard {
  readonly choice: BootChoice;
  readonly watchdog: Watchdog;
  /** On a simulated board: its buses' outside ends (press a button, look at a lamp). */
  readonly sim: SimBoard | undefined;
  /** The board's devices, opened with their drivers on the board's buses. */
  readonly devices: BoardDevices;
  /** Resolves once the unikernel has started or been stopped for the first time. */
  readonly settled: Promise<void>;
  health(): Promise<BootHealth>;
  /** Its circuits' counters now (as in health); null when it ends none. */
  circuits(): CircuitMuxCounters | null;
  close(): Promise<void>;
}

export interface BootOptions extends Pick<WatchdogOptions, 'onOutput' | 'onLog' | 'onStop' | 'onTrap' | 'trapStorm' | 'backoff'> {
  /** Where sysfs is mounted, for a real board's GPIO chips and frame buffer (tests give a fake tree). */
  readonly sysfs?: string;
  /**
   * Who confirms a slot on trial: the boot itself once the unikernel starts (`on-start`, a board
   * on its own), or the update agent after its health gate (`by-agent`: heartbeats to the
   * gateway, the app's self-test), which also leaves a slot awaiting its rollout's commit alone.
   */
  readonly confirm?: 'on-start' | 'by-agent';
  /**
   * The board's datagram port for its control circuits, bound at the address its configuration
   * gives it: the simulator hands every board a port of one in-process network. Without it, a
   * board that ends any circuit binds a UDP socket there (circuitBindAddress).
   */
  readonly datagrams?: (address: string) => DatagramPort | Promise<DatagramPort>;
  /**
   * Where the board's stream listener listens and where its device ends dial, instead of the
   * planned circuit addresses (the simulator: memoryStreamAddresses). Default: the plan's.
   */
  readonly streamAddresses?: StreamAddressBook;
  /** Who is in the board's space, as the gateway tells the update agent; nobody (emptySpace) without one. */
  readonly presence?: KernelPresence;
  /** How often expired recordings are swept while the board runs (they are also swept at boot). Default 60 000 ms. */
  readonly retentionSweepMs?: number;
  /** Each key epoch that begins or ends (recording starts, pauses), for the simulator's journal. */
  readonly onRecording?: (event: RecordingEvent) => void;
  /** Told each time a fragment plays a clip: the speaker, the clip, the person aimed at (-1: everyone). */
  readonly onPlay?: (device: string, clip: string, person: number) => void;
}

/**
 * Boots a board directory: chooses and verifies a slot (state saved first), then runs its
 * unikernel under the watchdog with the board's limits. Every stop is recorded in
 * state.json; a slot is confirmed once its unikernel has started, which raises the version
 * floor and what the board trusts to the slot's (confirmedState).
 */
export async function bootBoard(dir: string, options: BootOptions = {}): Promise<BootedBoard> {
  const info = statIfAny(dir);
  if (info === undefined) throw new InputError('boot.no-such-directory', `${dir} does not exist`, { hint: 'give osmose boot a board directory', data: { dir } });
  if (!info.isDirectory()) {
    throw new InputError('boot.not-a-directory', `${dir} is a file, not a board directory`, { hint: 'boot a disk image with osmose boot IMAGE (bootImage), a board directory with bootBoard', data: { dir } });
  }
  const choice = await chooseSlot(dir);
  if (choice.slot === null) {
    throw new InputError('boot.panic', `no slot of ${dir} verifies: ${Object.values(choice.state.lastBoot?.refused ?? {}).map((r) => r.reason).join('; ')}`, {
      hint: 'install a signed image for this board in slot a or b',
      data: { refused: choice.state.lastBoot?.refused ?? {} },
    });
  }
  const spec = boardsById.get(choice.identity.type);
  if (spec === undefined) throw new KernelError('boot.unknown-board-type', `board.json names board type ${choice.identity.type}, which this shim has no support package for`, { data: { type: choice.identity.type } });

  // State writes are chained so that two stops close together never interleave.
  let writes: Promise<void> = Promise.resolve();
  const update = (change: (state: BoardState) => BoardState): Promise<void> => {
    writes = writes.then(async () => {
      const state = readBoardState(dir);
      const next = change(state);
      // Nothing changed (a confirmed slot confirmed again): no write, no flush.
      if (next !== state) await writeBoardState(dir, next);
    });
    return writes;
  };
  const slot = choice.slot;
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  // The drivers outlive the unikernel's runs: a stop or a restart never takes a line or a port with it.
  const usesEnclave = Object.values(slot.config.devices).some((device) => device.driver === 'enclave');
  const sim = spec.simulated ? simBoardBuses({ lines: gpioLineNames(spec), ...(usesEnclave ? { deviceSecret: await enclaveSecret(dir) } : {}) }) : undefined;
  const buses = sim?.buses ?? (await realBoardBuses(spec, { dir, devices: slot.config.devices, ...(options.sysfs === undefined ? {} : { sysfs: options.sysfs }) }));
  const devices = await openBoardDevices(slot.config.devices, buses);
  const mux = await openCircuits(choice.identity.board, slot.config.circuits, options.datagrams).catch(async (error: unknown) => {
    await devices.close();
    throw error;
  });
  const streams = await openStreams(choice.identity.board, slot.config.circuits, options.streamAddresses).catch(async (error: unknown) => {
    await mux?.close();
    await devices.close();
    throw error;
  });
  const records = await openBoardRecords({
    dir,
    board: choice.identity.board,
    fragments: slot.config.fragments,
    ...(options.retentionSweepMs === undefined ? {} : { sweepMs: options.retentionSweepMs }),
    ...(options.onRecording === undefined ? {} : { onRecording: options.onRecording }),
    ...(options.onLog === undefined ? {} : { onLog: options.onLog }),
  });
  // Apps in plain TypeScript run in the script engine the image carries, started once for all of
  // them. An engine this shim does not drive refuses their fragments at link time, as a missing
  // one would: the board stays up, its agent reports the unikernel stopped, and an update that
  // brought it fails its health check and goes back to the previous slot.
  const engineBytes = slot.modules.get(scriptEngineModule);
  const engine = engineBytes === undefined ? undefined : await ScriptEngine.load(engineBytes).catch((error: unknown) => {
    if (error instanceof KernelError) return error;
    throw error;
  });
  const watchdog = new Watchdog({
    ...options,
    ...(engine === undefined ? {} : { engine }),
    digital: devices.digital,
    displays: displaysOf(devices),
    drivers: devices.opened,
    surroundings: {
      clips: (digest: string) => slot.clips.get(digest),
      keep: records.keeper,
      ...(options.presence === undefined ? {} : { presence: options.presence }),
      ...(options.onPlay === undefined ? {} : { played: options.onPlay }),
    },
    config: slot.config,
    modules: slot.modules,
    limits: spec.limits,
    ...(mux === undefined ? {} : { circuits: (circuit: CircuitConfig) => (circuit.kind === 'control' ? mux.open(circuit, circuitEndOf(circuit, choice.identity.board)) : undefined) }),
    streams: (circuit: CircuitConfig) => streams.links.get(circuit.id),
    onReady: () => {
      const byAgent = (state: BoardState): boolean => options.confirm === 'by-agent' && (!state.confirmed || state.awaitingCommit === true);
      void update((state) => (byAgent(state) ? state : confirmedState(state, slot))).then(settle);
    },
    onStop: (stop: WatchdogStop) => {
      options.onStop?.(stop);
      void update((state) => withStop(state, { at: new Date().toISOString(), slot: slot.slot, code: stop.error.code, message: stop.error.message })).then(settle);
    },
  });
  watchdog.start();
  return {
    choice,
    watchdog,
    sim,
    devices,
    settled,
    circuits: () => mux?.counters() ?? null,
    health: async () => {
      await writes;
      return {
        board: choice.identity.board,
        type: choice.identity.type,
        slot: slot.slot,
        row: choice.row.name,
        image: slot.manifest.signed.image,
        state: readBoardState(dir),
        unikernel: watchdog.health(),
        circuits: mux?.counters() ?? null,
        streams: Object.fromEntries([...streams.links].map(([id, link]) => [id, { ...link.counters }])),
        records: await records.health(),
      };
    },
    close: async () => {
      await watchdog.close();
      records.close();
      await mux?.close();
      streams.close();
      await devices.close();
      await writes;
    },
  };
}

/** The board's circuit mux on its datagram port, or undefined when it ends no circuit. */
async function openCircuits(board: string, circuits: readonly CircuitConfig[], datagrams: BootOptions['datagrams']): Promise<CircuitMux | undefined> {
  const address = boardCircuitAddress(board, circuits);
  if (address === undefined) return undefined;
  const port = datagrams === undefined ? await udpDatagramPort(circuitBindAddress(address)) : await datagrams(address);
  return new CircuitMux(port);
}

/** The audio devices a board reaches across stream circuits (streamDevices): what is worth opening a link for. */
const streamedDrivers: ReadonlySet<string> = new Set(['audio-in', 'audio-out']);

/**
 * The board's ends of its stream circuits to audio devices, as TCP stream links: one listener
 * on the board's circuit address for the circuits whose app end it is, and a link dialing the
 * app's board for each whose device end it is (it keeps dialing until that board answers).
 */
async function openStreams(board: string, circuits: readonly CircuitConfig[], book: StreamAddressBook | undefined): Promise<{ readonly links: ReadonlyMap<string, StreamLink>; close(): void }> {
  const wanted = circuits.filter((c) => c.kind === 'stream' && streamedDrivers.has(c.device.driver) && (c.app.board === board || c.device.board === board));
  const links = new Map<string, StreamLink>();
  const address = boardCircuitAddress(board, circuits);
  let listener: StreamListener | undefined;
  const close = (): void => {
    for (const link of links.values()) link.close();
    if (listener !== undefined && address !== undefined) book?.closed(address);
    listener?.close();
  };
  try {
    if (address !== undefined && wanted.some((c) => c.app.board === board)) {
      listener = await StreamListener.listen(book?.listenOn(address) ?? parseGatewayAddress(circuitBindAddress(address), 'circuit address'));
      book?.listening(address, listener.address);
    }
    for (const circuit of wanted) {
      const resolve = book === undefined ? {} : { resolve: () => book.resolve(circuit.app.address) };
      links.set(circuit.id, await openStreamCircuit(circuit, board, { ...resolve, ...(listener === undefined ? {} : { listener }) }));
    }
  } catch (error) {
    close();
    throw error;
  }
  return { links, close };
}

function displaysOf(devices: BoardDevices): ReadonlyMap<string, Display> {
  return new Map([...devices.opened].flatMap(([name, opened]) => (opened.class === 'display' ? [[name, opened.driver] as const] : [])));
}

function statIfAny(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
