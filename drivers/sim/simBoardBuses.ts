import { SimMicrophone, SimSpeaker } from '../audio/SimAudio.js';
import { SimDigitalBus } from '../digital/SimDigitalBus.js';
import { SimDisplayBus } from '../display/SimDisplayBus.js';
import { SimEnclaveBus } from '../enclave/SimEnclaveBus.js';
import type { BoardBuses } from '../openDriver.js';
import type { SerialBus } from '../serial/SerialBus.js';
import { simSerialPair } from '../serial/simSerialPair.js';

/**
 * The software hardware of one simulated board: the buses its drivers receive, and the far
 * side of each, for whoever plays the outside world (`osmose sim get/set/press`, tests). Cheap
 * enough that a thousand fit in one process: nothing is made until a device is opened.
 */
export interface SimBoard {
  readonly buses: BoardBuses;
  /** The GPIO bank: setInput to press a button, level to look at a lamp. */
  readonly gpio: SimDigitalBus;
  /** The peripheral's end of each opened serial port, by port name. */
  readonly serialPeers: ReadonlyMap<string, SerialBus>;
  /** Every microphone, speaker and panel opened, in the order their devices were opened. */
  readonly microphones: readonly SimMicrophone[];
  readonly speakers: readonly SimSpeaker[];
  readonly displays: readonly SimDisplayBus[];
}

export interface SimBoardOptions {
  /** The board's GPIO line names (the sim board's header); any name when omitted. */
  readonly lines?: Iterable<string>;
  /** The board's device-bound enclave secret, 32 bytes or more; random when omitted, so keys do not survive a restart. */
  readonly deviceSecret?: Uint8Array;
}

export function simBoardBuses(options: SimBoardOptions = {}): SimBoard {
  const gpio = new SimDigitalBus(options.lines === undefined ? {} : { lines: options.lines });
  const serialPeers = new Map<string, SerialBus>();
  const microphones: SimMicrophone[] = [];
  const speakers: SimSpeaker[] = [];
  const displays: SimDisplayBus[] = [];
  const secret = options.deviceSecret;
  return {
    gpio,
    serialPeers,
    microphones,
    speakers,
    displays,
    buses: {
      digital: gpio,
      serial: (port) => {
        const [board, peer] = simSerialPair();
        serialPeers.set(port, peer);
        return Promise.resolve(board);
      },
      audioIn: () => push(microphones, new SimMicrophone()),
      audioOut: () => push(speakers, new SimSpeaker()),
      display: (width, height) => push(displays, new SimDisplayBus({ width, height })),
      enclave: () => new SimEnclaveBus(secret === undefined ? {} : { deviceSecret: secret }),
    },
  };
}

function push<T>(list: T[], item: T): T {
  list.push(item);
  return item;
}
