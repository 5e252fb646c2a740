import type { BoardFeature } from '../drivers/boardFeatures.js';

/** One GPIO controller, found at run time by its label (never by a fixed base number). */
export interface GpioBank {
  /** The chip's label as the kernel reports it (`gpiochipN` numbering changes between kernels). */
  readonly chip: string;
  /** Line name printed on the board → line offset within this chip. */
  readonly lines: Readonly<Record<string, number>>;
}

export interface BoardSpec {
  readonly id: string;
  readonly name: string;
  readonly soc: string;
  readonly gpio: readonly GpioBank[];
  /** Serial port name used in building.yaml → the device it opens on the board. */
  readonly serial: Readonly<Record<string, string>>;
  readonly supports: readonly BoardFeature[];
  /** The ALSA PCMs its audio-in and audio-out devices open (boards that support audio). */
  readonly audio?: { readonly in: string; readonly out: string };
  /** The frame-buffer device a display draws on (boards that support display). */
  readonly framebuffer?: string;
  /**
   * Where the enclave's device-bound secret lives (boards that support enclave): `key-file`
   * is 32 random bytes in the board directory's `enclave.key` (mode 0600), made at first boot;
   * the keys derived from it never leave the shim. A board with a TPM would name it here.
   */
  readonly enclave?: 'key-file';
  readonly limits: {
    /** WebAssembly memory ceiling, in 64 KiB pages. */
    readonly memoryPages: number;
    /** How long one event handler may run before the watchdog stops the unikernel. */
    readonly eventBudgetMs: number;
    readonly cpus: number;
  };
  /** True for boards whose devices are software (the `sim` board). */
  readonly simulated: boolean;
}

/** Identity for type checking: a board file is data and holds no logic. */
export function defineBoard<const B extends BoardSpec>(board: B): B {
  return board;
}

/** Every GPIO line name the board has, in the order its banks list them. */
export function gpioLineNames(board: BoardSpec): string[] {
  return board.gpio.flatMap((bank) => Object.keys(bank.lines));
}

/** `GPIO2` … `GPIO27`: the numbered lines on the Raspberry Pi's 40-pin header. */
export function piHeaderLines(): Record<string, number> {
  const lines: Record<string, number> = {};
  for (let n = 2; n <= 27; n++) lines[`GPIO${n}`] = n;
  return lines;
}
