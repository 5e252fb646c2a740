import type { EventKind } from './codes.js';

/**
 * An app's entry points, the three exports of an AssemblyScript app as one object. Each
 * returns a Status (a number); returning nothing from `handle` means Status.Ok.
 */
export interface App {
  /** Called once, after the script ran and before any event. */
  start?(): number;
  /** Called for each event, one at a time: Status.Ok, Status.Ignored (not for this app), or the failure. */
  handle(kind: EventKind, source: number, value: number): number | undefined;
  /** The app's own health check while a new image is on trial: a negative Status fails the trial. */
  selftest?(): number;
}

/** What the kernel's script bridge looks for on `globalThis.osmoseApp`: functions it calls without a `this`. */
interface ScriptEntryPoints {
  start?: () => number;
  handle: (kind: number, source: number, value: number) => number | undefined;
  selftest?: () => number;
}

/**
 * Registers the app with the board: call it once, at the top level of the app's file, with
 * its entry points (`app({ handle(kind, source, value) { … } })`). The kernel calls the
 * entry points without a `this`, so they are bound to `entry` here: an app may keep its
 * state on the object it passes.
 */
export function app(entry: App): void {
  if (typeof entry.handle !== 'function') {
    throw new TypeError('app(entry): entry.handle must be a function (kind, source, value) => Status; give app() an object with a handle method');
  }
  const points: ScriptEntryPoints = { handle: (kind, source, value) => entry.handle(kind, source, value) };
  if (entry.start !== undefined) points.start = () => entry.start?.() ?? 0;
  if (entry.selftest !== undefined) points.selftest = () => entry.selftest?.() ?? 0;
  (globalThis as { osmoseApp?: ScriptEntryPoints }).osmoseApp = points;
}
