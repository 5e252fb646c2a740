import { abiDefinition } from '../../userland/abi/index.js';
import type { KernelBoardConfig } from '../boot/KernelImage.js';
import type { KernelDevices } from '../host/KernelDevices.js';
import { linkFragment, type LinkedFragment } from '../host/linkFragment.js';
import { KernelError } from '../KernelError.js';

export interface UnikernelOptions {
  readonly config: KernelBoardConfig;
  /** Module bytes by app. */
  readonly modules: ReadonlyMap<string, Uint8Array>;
  readonly devices: KernelDevices;
  readonly memoryPages: number;
  readonly log: (instance: string, level: number, message: string) => void;
  /** A trap in `handle`: the unikernel carries on; the watchdog counts them. */
  readonly trap: (instance: string, message: string) => void;
  /** Around each `handle` call, for the watchdog's heartbeat. */
  readonly beforeEvent?: () => void;
  readonly afterEvent?: () => void;
  readonly now?: () => number;
  readonly schedule?: (delayMs: number, periodMs: number, fire: () => void) => () => void;
}

interface QueuedEvent {
  readonly fragment: LinkedFragment;
  readonly kind: number;
  readonly source: number;
  readonly value: number;
}

const { Press, Release } = abiDefinition.events;

/**
 * Every fragment of a board, linked, initialised and fed events one at a time. Runs inside
 * the watchdog's worker; throws a KernelError when the unikernel must be stopped (refused at
 * link time, a trap in initialisation, memory past the board's limit).
 */
export class Unikernel {
  readonly #options: UnikernelOptions;
  readonly #fragments: LinkedFragment[] = [];
  readonly #queue: QueuedEvent[] = [];
  #draining = false;
  #handled = 0;

  constructor(options: UnikernelOptions) {
    this.#options = options;
  }

  /** Links every fragment, then runs each one's `_initialize` and `start`. */
  boot(): void {
    const o = this.#options;
    const started = Date.now();
    for (const fragment of o.config.fragments) {
      const bytes = o.modules.get(fragment.app);
      if (bytes === undefined) throw new KernelError('kernel.no-module', `the image has no module for ${fragment.app}, which ${fragment.instance} runs`, { data: { app: fragment.app } });
      const linked: LinkedFragment = linkFragment(bytes, {
        config: o.config,
        fragment,
        devices: o.devices,
        memoryPages: o.memoryPages,
        log: (level, message) => o.log(fragment.instance, level, message),
        now: o.now ?? Date.now,
        monotonic: () => (o.now ?? Date.now)() - started,
        schedule: o.schedule ?? realSchedule,
        raise: (kind, source, value) => this.#enqueue({ fragment: linked, kind, source, value }),
      });
      this.#fragments.push(linked);
    }
    for (const fragment of this.#fragments) {
      this.#guard(fragment, 'kernel.init-trap', 'initialisation', () => fragment.initialize());
      const status = this.#guard(fragment, 'kernel.init-trap', 'start', () => fragment.start());
      if (status !== undefined && status < 0) {
        throw new KernelError('kernel.start-failed', `${fragment.instance}'s start returned status ${status}`, { data: { instance: fragment.instance, status } });
      }
      this.#checkMemory(fragment);
    }
    this.#drain();
  }

  /** A digital input changed: each fragment bound to it gets Press or Release. */
  input(device: string, level: number): void {
    if (this.#options.devices.digital(device)?.output !== false) return;
    for (const fragment of this.#fragments) {
      const handle = fragment.handles.get(device);
      if (handle !== undefined) this.#queue.push({ fragment, kind: level === 0 ? Release.code : Press.code, source: handle, value: 0 });
    }
    this.#drain();
  }

  get handled(): number {
    return this.#handled;
  }

  close(): void {
    for (const fragment of this.#fragments) fragment.close();
  }

  #enqueue(event: QueuedEvent): void {
    this.#queue.push(event);
    this.#drain();
  }

  #drain(): void {
    // A host function can raise an event while handle runs; it waits its turn.
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let event = this.#queue.shift(); event !== undefined; event = this.#queue.shift()) {
        const { fragment, kind, source, value } = event;
        this.#options.beforeEvent?.();
        try {
          fragment.handle(kind, source, value);
        } catch (error) {
          this.#options.trap(fragment.instance, error instanceof Error ? error.message : String(error));
        } finally {
          this.#options.afterEvent?.();
        }
        this.#handled++;
        this.#checkMemory(fragment);
      }
    } finally {
      this.#draining = false;
    }
  }

  #guard<T>(fragment: LinkedFragment, code: string, phase: string, run: () => T): T {
    try {
      return run();
    } catch (cause) {
      throw new KernelError(code, `${fragment.instance} trapped in ${phase}: ${cause instanceof Error ? cause.message : String(cause)}`, { data: { instance: fragment.instance, phase }, cause });
    }
  }

  #checkMemory(fragment: LinkedFragment): void {
    const pages = fragment.memoryPages();
    if (pages > this.#options.memoryPages) {
      throw new KernelError('watchdog.memory', `${fragment.instance} grew its memory to ${pages} pages, past the board's ${this.#options.memoryPages}`, {
        data: { instance: fragment.instance, pages, limit: this.#options.memoryPages },
      });
    }
  }
}

function realSchedule(delayMs: number, periodMs: number, fire: () => void): () => void {
  let interval: NodeJS.Timeout | undefined;
  const timeout = setTimeout(() => {
    fire();
    if (periodMs > 0) interval = setInterval(fire, periodMs);
  }, delayMs);
  return () => {
    clearTimeout(timeout);
    if (interval !== undefined) clearInterval(interval);
  };
}
