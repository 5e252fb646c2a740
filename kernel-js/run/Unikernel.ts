import { abiDefinition } from '../../userland/abi/index.js';
import type { KernelBoardConfig } from '../boot/KernelImage.js';
import type { KernelDevices } from '../host/KernelDevices.js';
import type { FragmentContext } from '../host/FragmentContext.js';
import type { LinkedFragment } from '../host/linkFragment.js';
import { KernelError } from '../KernelError.js';
import { linkAppFragment } from './linkAppFragment.js';
import type { ScriptEngine } from './ScriptEngine.js';

export interface UnikernelOptions {
  readonly config: KernelBoardConfig;
  /** Module bytes by app. */
  readonly modules: ReadonlyMap<string, Uint8Array>;
  readonly devices: KernelDevices;
  /** The board's limits (boards/<id>.ts): memory in 64 KiB pages, and the budget of one call. */
  readonly limits: { readonly memoryPages: number; readonly eventBudgetMs: number };
  readonly log: (instance: string, level: number, message: string) => void;
  /** A trap in `handle`: the unikernel carries on; the watchdog counts them. */
  readonly trap: (instance: string, message: string) => void;
  /**
   * The unikernel must stop (a call past its budget or the board's memory) during an event
   * that did not come through boot() or input(), such as a timer: nothing is left to throw to.
   */
  readonly fatal: (error: KernelError) => void;
  readonly now?: () => number;
  readonly schedule?: (delayMs: number, periodMs: number, fire: () => void) => () => void;
  /** The board's script engine, started at boot when the image carries one (apps in plain TypeScript). */
  readonly engine?: ScriptEngine | KernelError;
}

interface QueuedEvent {
  readonly fragment: LinkedFragment;
  readonly kind: number;
  readonly source: number;
  readonly value: number;
}

const { Press, Release } = abiDefinition.events;

/**
 * Every fragment of a board, linked, initialised and fed events one at a time, on the
 * caller's thread. boot() and input() throw a KernelError when the unikernel must be stopped
 * (refused at link time, a trap in initialisation, a call past its budget or past the board's
 * memory); after that it handles nothing more.
 */
export class Unikernel {
  readonly #options: UnikernelOptions;
  readonly #fragments: LinkedFragment[] = [];
  readonly #queue: QueuedEvent[] = [];
  #draining = false;
  #stopped = false;
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
      const context: FragmentContext = {
        config: o.config,
        fragment,
        devices: o.devices,
        memoryPages: o.limits.memoryPages,
        budgetMs: o.limits.eventBudgetMs,
        log: (level, message) => o.log(fragment.instance, level, message),
        now: o.now ?? Date.now,
        monotonic: () => (o.now ?? Date.now)() - started,
        schedule: o.schedule ?? realSchedule,
        raise: (kind, source, value) => this.#raise({ fragment: linked, kind, source, value }),
      };
      const linked: LinkedFragment = linkAppFragment(bytes, context, o.engine);
      this.#fragments.push(linked);
    }
    for (const fragment of this.#fragments) {
      this.#guard(fragment, 'initialisation', () => fragment.initialize());
      const status = this.#guard(fragment, 'start', () => fragment.start());
      if (status !== undefined && status < 0) {
        throw new KernelError('kernel.start-failed', `${fragment.instance}'s start returned status ${status}`, { data: { instance: fragment.instance, status } });
      }
    }
    this.#drain();
  }

  /** A digital input changed: each fragment bound to it gets Press or Release. */
  input(device: string, level: number): void {
    if (this.#stopped || this.#options.devices.digital(device)?.output !== false) return;
    for (const fragment of this.#fragments) {
      const handle = fragment.handles.get(device);
      if (handle !== undefined) this.#queue.push({ fragment, kind: level === 0 ? Release.code : Press.code, source: handle, value: 0 });
    }
    this.#drain();
  }

  /**
   * Runs each fragment's `selftest` export (the update agent's health gate on a new image): the
   * first fragment whose self-test traps or returns a negative Status fails the test. A module
   * without the export passes.
   */
  selfTest(): { readonly ok: true } | { readonly ok: false; readonly instance: string; readonly reason: string } {
    for (const fragment of this.#fragments) {
      let status: number | undefined;
      try {
        status = fragment.selfTest();
      } catch (cause) {
        return { ok: false, instance: fragment.instance, reason: `${fragment.instance}'s self-test trapped: ${cause instanceof Error ? cause.message : String(cause)}` };
      }
      if (status !== undefined && status < 0) return { ok: false, instance: fragment.instance, reason: `${fragment.instance}'s self-test returned status ${status}` };
    }
    return { ok: true };
  }

  get handled(): number {
    return this.#handled;
  }

  /** Cancels every timer; nothing is handled after. */
  close(): void {
    this.#stopped = true;
    this.#queue.length = 0;
    for (const fragment of this.#fragments) fragment.close();
  }

  /** An event raised by a host function or a timer: a fatal stop has nobody to throw to. */
  #raise(event: QueuedEvent): void {
    if (this.#stopped) return;
    this.#queue.push(event);
    try {
      this.#drain();
    } catch (error) {
      if (!(error instanceof KernelError)) throw error;
      this.#options.fatal(error);
    }
  }

  #drain(): void {
    // A host function can raise an event while handle runs; it waits its turn.
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let event = this.#queue.shift(); event !== undefined && !this.#stopped; event = this.#queue.shift()) {
        const { fragment, kind, source, value } = event;
        try {
          fragment.handle(kind, source, value);
        } catch (error) {
          if (error instanceof KernelError) {
            this.close();
            throw error;
          }
          this.#options.trap(fragment.instance, error instanceof Error ? error.message : String(error));
        }
        this.#handled++;
      }
    } finally {
      this.#draining = false;
    }
  }

  #guard<T>(fragment: LinkedFragment, phase: string, run: () => T): T {
    try {
      return run();
    } catch (cause) {
      if (cause instanceof KernelError) throw cause;
      throw new KernelError('kernel.init-trap', `${fragment.instance} trapped in ${phase}: ${cause instanceof Error ? cause.message : String(cause)}`, { data: { instance: fragment.instance, phase }, cause });
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
