// Step 2: the bus. Name the least the hardware must do for the driver, nothing more: here the
// expander's one port register and its interrupt line. The real bus (an I²C transfer) and the
// sim bus both implement it; the driver never knows which it has.
export interface ExpanderBus {
  /** The 8 pin levels, bit 0 for pin 0. */
  readPort(): number;
  /** Writes all 8 pins; a 1 on an input pin keeps it weakly high (quasi-bidirectional). */
  writePort(value: number): void;
  /** The chip's interrupt line: fires after any input pin changes. */
  onInterrupt(listener: () => void): () => void;
}
