// The codes of the osmose ABI, version 3 (userland/abi/abiDefinition.ts: status, events,
// logLevels), as the AssemblyScript SDK has them. A test checks every name and value against it.

/**
 * What every host call and every app handler returns. Failures travel as values, as in the
 * AssemblyScript SDK, so an app reads the same in both; an exception that leaves a handler
 * stops the app as a trap does. Ok and Ignored are not failures; everything negative is.
 */
export enum Status {
  Ok = 0,
  /** Returned by handle: the event was not for this app. */
  Ignored = 1,
  /** No such alias, key, timer, circuit or message. */
  NotFound = -1,
  /** The app's policy does not allow this. */
  Denied = -2,
  /** The handle is unknown, closed, or of a device that cannot do this. */
  BadHandle = -3,
  /** An argument is out of range, or text is not UTF-8. */
  BadArgument = -4,
  /** A queue is full: try again on a later event. */
  Busy = -5,
  /** The device or peer is not reachable. */
  Unavailable = -6,
  /** More than the device or circuit takes at once. */
  TooLarge = -7,
  /** The device cannot do this. */
  Unsupported = -8,
  /** The driver failed; the board logged why. */
  Failed = -9,
}

/** The `kind` of an event passed to `handle(kind, source, value)`. */
export enum EventKind {
  /** A digital input became active. source: the input's handle. */
  Press = 1,
  /** A digital input became inactive. source: the input's handle. */
  Release = 2,
  /** A timer fired. source: the timer's id. */
  Timer = 3,
  /** A message arrived. source: the channel's handle; value: its length. */
  Message = 4,
  /** Captured audio is waiting. source: the microphone's handle; value: bytes waiting. */
  Audio = 5,
  /** Bytes arrived on a serial port. source: its handle; value: bytes waiting. */
  Serial = 6,
  /** Someone entered the space. source: their person handle; value: people present now. */
  Arrived = 7,
  /** Someone left the space. source: their person handle; value: people present now. */
  Left = 8,
  /** Someone is on their way to the space: ready it. source: their person handle; value: people expected now. */
  Expected = 9,
  /** Someone is no longer expected (they arrived, went elsewhere or left). source: their person handle; value: people expected now. */
  NotExpected = 10,
}

/** How much a log line matters; the board records the level with the line. */
export enum LogLevel {
  Debug = 0,
  Info = 1,
  Warn = 2,
  Error = 3,
  Fatal = 4,
}

/** A person in the app's space: a pseudonymous handle, the same for one visit. */
export type Person = number;

/** No person in particular: everyone. */
export const Everyone: Person = -1;
