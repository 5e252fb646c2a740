import { KernelError } from '../KernelError.js';
import type { CircuitConfig, CircuitEndName } from './CircuitConfig.js';
import { circuitEndOf } from './circuitEndOf.js';
import { ControlCircuitEnd, type CircuitEndCounters, type ControlCircuitOptions } from './ControlCircuitEnd.js';
import type { DatagramPort } from './DatagramPort.js';
import { tagBytes, tagOffset } from './datagramFormat.js';

/** A board's circuit counters, as plain JSON for its health report. */
export interface CircuitMuxCounters {
  readonly port: {
    /** The `HOST:PORT` the board's circuits use. */
    readonly address: string;
    /** Datagrams whose tag names no circuit of this board. */
    readonly unknown: number;
    /** Datagrams too short to name a circuit at all. */
    readonly malformed: number;
  };
  /** By circuit id. */
  readonly circuits: Readonly<Record<string, CircuitEndCounters>>;
}

/**
 * A board's circuits on its one datagram port: it routes each datagram to the circuit its tag
 * names, and counts what it cannot route. Nothing that arrives makes it throw, whatever the
 * bytes: a socket handler that threw would take the board's shim down with it.
 */
export class CircuitMux {
  readonly #port: DatagramPort;
  readonly #options: ControlCircuitOptions;
  readonly #byTag = new Map<string, ControlCircuitEnd>();
  readonly #byId = new Map<string, ControlCircuitEnd>();
  readonly #keys = new Map<string, string>();
  readonly #stop: () => void;
  #unknown = 0;
  #malformed = 0;

  /** Takes over `port`; `options` are the defaults of every end opened here. */
  constructor(port: DatagramPort, options: ControlCircuitOptions = {}) {
    this.#port = port;
    this.#options = options;
    this.#stop = port.onDatagram((bytes) => this.#route(bytes));
  }

  /** The port's `HOST:PORT`. */
  get address(): string {
    return this.#port.address;
  }

  /**
   * Opens `end` of `circuit` on this board's port. Asked again for the same end with the same
   * key, it gives the end already open (a host that links its fragment again keeps the replay
   * window); once that end is closed, a new one replaces it. It refuses the other end of a
   * circuit already open, a different key for it, and a circuit whose tag another one has.
   */
  open(circuit: CircuitConfig, end: CircuitEndName, options: ControlCircuitOptions = {}): ControlCircuitEnd {
    const existing = this.#byId.get(circuit.id);
    if (existing !== undefined && !existing.closed) {
      if (existing.end === end && this.#keys.get(circuit.id) === circuit.key.toLowerCase()) return existing;
      throw new KernelError('circuit.duplicate', `circuit ${circuit.id} is already open on this board as its ${existing.end} end${existing.end === end ? ', with another key' : ''}`, {
        hint: "a board holds one end of each circuit; check the board's configuration",
        data: { circuit: circuit.id, open: existing.end, asked: end },
      });
    }
    if (existing !== undefined) this.#byTag.delete(existing.tag);
    const opened = new ControlCircuitEnd(circuit, end, this.#port, { ...this.#options, ...options });
    const clash = this.#byTag.get(opened.tag);
    if (clash !== undefined) {
      // Two ids whose SHA-256 share 8 bytes: unheard of, but routing would then pick one at random.
      throw new KernelError('circuit.tag-clash', `circuits ${clash.id} and ${circuit.id} have the same tag ${opened.tag}`, {
        hint: 'rename one of the apps or devices so the circuit ids differ',
        data: { circuits: [clash.id, circuit.id], tag: opened.tag },
      });
    }
    this.#byTag.set(opened.tag, opened);
    this.#byId.set(circuit.id, opened);
    this.#keys.set(circuit.id, circuit.key.toLowerCase());
    return opened;
  }

  /** Opens every control circuit of `circuits` at the end `board` holds, as the board's configuration lists them. */
  openBoard(board: string, circuits: readonly CircuitConfig[]): ControlCircuitEnd[] {
    return circuits.filter((circuit) => circuit.kind === 'control').map((circuit) => this.open(circuit, circuitEndOf(circuit, board)));
  }

  /** The open end of the circuit `id`, if any. */
  end(id: string): ControlCircuitEnd | undefined {
    return this.#byId.get(id);
  }

  #route(bytes: Uint8Array): void {
    if (bytes.length < tagOffset + tagBytes) {
      this.#malformed += 1;
      return;
    }
    const circuit = this.#byTag.get(Buffer.from(bytes.buffer, bytes.byteOffset + tagOffset, tagBytes).toString('hex'));
    if (circuit === undefined) {
      this.#unknown += 1;
      return;
    }
    if (circuit.receive(bytes) === 'unknown') this.#unknown += 1;
  }

  /** Every counter, as plain JSON. */
  counters(): CircuitMuxCounters {
    const circuits: Record<string, CircuitEndCounters> = {};
    for (const [id, end] of this.#byId) circuits[id] = end.counters();
    return { port: { address: this.#port.address, unknown: this.#unknown, malformed: this.#malformed }, circuits };
  }

  /** Closes every circuit and the port. */
  async close(): Promise<void> {
    this.#stop();
    for (const end of this.#byId.values()) end.close();
    await this.#port.close();
  }
}
