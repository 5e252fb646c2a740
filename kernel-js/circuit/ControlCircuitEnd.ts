import { parseGatewayAddress } from '../agent/parseGatewayAddress.js';
import type { ChannelSendResult, KernelChannel } from '../host/KernelChannels.js';
import { KernelError } from '../KernelError.js';
import type { CircuitConfig, CircuitEndName } from './CircuitConfig.js';
import { CircuitCipher, type DatagramRefusal } from './CircuitCipher.js';
import { circuitTagHex } from './circuitTag.js';
import type { DatagramPort } from './DatagramPort.js';
import { maxDatagramBytes, minDatagramBytes } from './datagramFormat.js';
import { ReplayWindow } from './ReplayWindow.js';
import { clockSequence, SendSequence, type CircuitClock } from './SendSequence.js';

export interface ControlCircuitOptions {
  /** Milliseconds since the epoch; `Date.now` unless a test gives its own. Numbers what is sent and judges what arrives. */
  readonly clock?: CircuitClock;
  /** How far a datagram's time may be from this board's clock, either way, before it is refused as stale; default 60,000 ms. */
  readonly freshnessMs?: number;
  /** How many sequences below the highest the replay window remembers; default 128. */
  readonly replayWindow?: number;
  /** The largest message, in bytes; default 1024, so a datagram stays below a common 1,280-byte MTU. */
  readonly maxMessageBytes?: number;
  /** Messages kept while nobody listens yet; past it the oldest is dropped (and counted). Default 16. */
  readonly capacity?: number;
}

/** One end's counters, as plain JSON for the board's health report. */
export interface CircuitEndCounters {
  readonly end: CircuitEndName;
  /** The peer's `HOST:PORT`. */
  readonly peer: string;
  readonly sent: number;
  /** Datagrams that authenticated, were fresh and new, and were handed on (or queued). */
  readonly accepted: number;
  readonly replayed: number;
  readonly forged: number;
  readonly stale: number;
  readonly malformed: number;
  /** Accepted messages lost because nobody listened and the queue was full, or that arrived after close. */
  readonly dropped: number;
}

// 'unknown' is the port's to count: a datagram this end is handed was routed here by its tag.
type Counted = 'sent' | 'accepted' | 'dropped' | Exclude<DatagramRefusal, 'unknown'>;

const wholeFrom = (what: string, value: number, least: number, most = Number.MAX_SAFE_INTEGER): number => {
  if (!Number.isInteger(value) || value < least || value > most) {
    throw new KernelError('circuit.bad-option', `a control circuit's ${what} is a whole number from ${least} to ${most}, not ${value}`, { data: { [what]: value } });
  }
  return value;
};

/**
 * One end of a control circuit: each message is one sealed datagram to the peer's address,
 * with nothing to set up first and nothing to look up at send time, since the builder baked
 * the peer's address and the pairwise key into both boards' signed configurations.
 *
 * What arrives (through `receive`, which a CircuitMux calls) is handed on only when it
 * authenticates, its time is within `freshnessMs` of this board's clock, and the replay window
 * has not seen its sequence; everything else is refused and counted by reason, never thrown.
 * The freshness bound is what protects a receiver that just rebooted with an empty window: a
 * datagram captured earlier than that is stale.
 */
export class ControlCircuitEnd implements KernelChannel {
  readonly id: string;
  readonly end: CircuitEndName;
  /** The peer's `HOST:PORT`, where every message goes. */
  readonly peer: string;
  /** The circuit tag in hex, which a mux routes by. */
  readonly tag: string;
  readonly maxMessageBytes: number;
  readonly #port: DatagramPort;
  readonly #cipher: CircuitCipher;
  readonly #sequence: SendSequence;
  readonly #window: ReplayWindow;
  readonly #clock: CircuitClock;
  readonly #freshness: bigint;
  readonly #capacity: number;
  readonly #listeners = new Set<(message: Uint8Array) => void>();
  readonly #waiting: Uint8Array[] = [];
  readonly #counts: Record<Counted, number> = { sent: 0, accepted: 0, dropped: 0, replayed: 0, forged: 0, stale: 0, malformed: 0 };
  #closed = false;

  constructor(circuit: CircuitConfig, end: CircuitEndName, port: DatagramPort, options: ControlCircuitOptions = {}) {
    if (circuit.kind !== 'control') {
      throw new KernelError('circuit.not-control', `circuit ${circuit.id} is a ${circuit.kind} circuit; a control circuit end carries single datagrams only`, {
        hint: 'open stream circuits with the stream transport',
        data: { circuit: circuit.id, kind: circuit.kind },
      });
    }
    const peerEnd = end === 'app' ? 'device' : 'app';
    this.id = circuit.id;
    this.end = end;
    this.peer = circuit[peerEnd].address;
    parseGatewayAddress(this.peer, `circuit ${circuit.id}: ${peerEnd}.address`);
    this.#cipher = new CircuitCipher(circuit, end);
    this.tag = circuitTagHex(circuit.id);
    this.#port = port;
    this.#clock = options.clock ?? Date.now;
    this.#sequence = new SendSequence(this.#clock);
    this.#window = new ReplayWindow(options.replayWindow);
    this.#freshness = BigInt(wholeFrom('freshnessMs', options.freshnessMs ?? 60_000, 1)) * 1000n;
    this.maxMessageBytes = wholeFrom('maxMessageBytes', options.maxMessageBytes ?? 1024, 1, maxDatagramBytes - minDatagramBytes);
    this.#capacity = wholeFrom('capacity', options.capacity ?? 16, 1);
  }

  /** Seals `message` and sends it as one datagram: `ok` once handed to the port (UDP confirms nothing), `unavailable` once closed. */
  send(message: Uint8Array): ChannelSendResult {
    if (message.length > this.maxMessageBytes) {
      throw new KernelError('kernel.channel-too-large', `a ${message.length}-byte message is larger than circuit ${this.id}'s ${this.maxMessageBytes} bytes`, {
        hint: 'the host answers TooLarge before sending; check maxMessageBytes first',
        data: { circuit: this.id, length: message.length, maxMessageBytes: this.maxMessageBytes },
      });
    }
    if (this.#closed) return 'unavailable';
    this.#port.send(this.peer, this.#cipher.seal(this.#sequence.next(), message));
    this.#counts.sent += 1;
    return 'ok';
  }

  onMessage(listener: (message: Uint8Array) => void): () => void {
    this.#listeners.add(listener);
    for (const message of this.#waiting.splice(0)) this.#deliver(message);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Takes one datagram addressed to this circuit: returns undefined when its message was
   * handed on, or the reason it was refused. The window moves only for a datagram that
   * authenticated, so a forger cannot push it past genuine datagrams still on their way.
   */
  receive(datagram: Uint8Array): DatagramRefusal | undefined {
    const refused = this.#judge(datagram);
    if (refused !== undefined) {
      if (refused !== 'unknown') this.#counts[refused] += 1;
      return refused;
    }
    return undefined;
  }

  #judge(datagram: Uint8Array): DatagramRefusal | undefined {
    const opened = this.#cipher.open(datagram);
    if (!opened.ok) return opened.reason;
    const age = clockSequence(this.#clock) - opened.sequence;
    if (age > this.#freshness || -age > this.#freshness) return 'stale';
    if (!this.#window.isNew(opened.sequence)) return 'replayed';
    this.#window.take(opened.sequence);
    if (this.#closed) {
      this.#counts.dropped += 1;
      return undefined;
    }
    this.#counts.accepted += 1;
    if (this.#listeners.size > 0) {
      this.#deliver(opened.message);
    } else {
      this.#waiting.push(opened.message);
      // The latest action is the one that still means something: drop from the front.
      if (this.#waiting.length > this.#capacity) {
        this.#waiting.shift();
        this.#counts.dropped += 1;
      }
    }
    return undefined;
  }

  #deliver(message: Uint8Array): void {
    // Each listener gets its own copy: a host keeps what it is given.
    for (const listener of [...this.#listeners]) listener(Uint8Array.from(message));
  }

  /** This end's counters, as plain JSON. */
  counters(): CircuitEndCounters {
    const { sent, accepted, replayed, forged, stale, malformed, dropped } = this.#counts;
    return { end: this.end, peer: this.peer, sent, accepted, replayed, forged, stale, malformed, dropped };
  }

  /** Whether close was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops this end: sends answer unavailable, and nothing more is handed on. The port stays open for the board's other circuits. */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    this.#waiting.length = 0;
  }
}
