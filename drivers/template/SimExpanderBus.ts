import type { ExpanderBus } from './ExpanderBus.js';

// Step 4: the sim bus. Software hardware for tests and the sim board: the driver writes the
// port, the outside world pulls pins low (`pull`) or lets go (`release`) as a button would.
export class SimExpanderBus implements ExpanderBus {
  #latch = 0xff;
  #pulledLow = 0;
  readonly #listeners = new Set<() => void>();

  readPort(): number {
    return this.#latch & ~this.#pulledLow & 0xff;
  }

  writePort(value: number): void {
    this.#latch = value & 0xff;
  }

  onInterrupt(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sets a pin's wire from outside: 0 pulls it low, 1 lets it go. */
  drive(bit: number, level: 0 | 1): void {
    const before = this.readPort();
    this.#pulledLow = level === 0 ? this.#pulledLow | (1 << bit) : this.#pulledLow & ~(1 << bit);
    if (this.readPort() !== before) for (const listener of [...this.#listeners]) listener();
  }

  /** The level on a pin's wire now. */
  level(bit: number): 0 | 1 {
    return (this.readPort() >> bit) & 1 ? 1 : 0;
  }
}
