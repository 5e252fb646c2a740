import { closedError, DriverError } from '../DriverError.js';
import type { Serial } from './Serial.js';
import type { SerialBus } from './SerialBus.js';

export interface SerialLineOptions {
  /** The open stream; the driver never opens a port itself (the baud is the bus's business). */
  readonly bus: SerialBus;
  /** The board's port name, such as serial0, for messages. */
  readonly port: string;
}

/** A UART line (driver serial). */
export class SerialLine implements Serial {
  readonly #bus: SerialBus;
  readonly #port: string;
  readonly #stops = new Set<() => void>();
  #closed = false;

  constructor(options: SerialLineOptions) {
    this.#bus = options.bus;
    this.#port = options.port;
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.#assertOpen();
    if (!(bytes instanceof Uint8Array)) {
      throw new DriverError('driver.bad-frame', `serial ${this.#port} sends bytes (a Uint8Array)`, { data: { port: this.#port } });
    }
    try {
      await this.#bus.write(bytes);
    } catch (cause) {
      throw new DriverError('driver.bus-failed', `serial ${this.#port} could not send: ${String(cause)}`, { cause, data: { port: this.#port } });
    }
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.#assertOpen();
    const stop = this.#bus.onData((bytes) => {
      if (!this.#closed) listener(bytes);
    });
    this.#stops.add(stop);
    return () => {
      this.#stops.delete(stop);
      stop();
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of this.#stops) stop();
    this.#stops.clear();
    await this.#bus.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError(`serial ${this.#port}`);
  }
}
