// Records the meeting into the room's enclave, sealed under a group key for exactly the
// people present. Whenever someone arrives or leaves, recording pauses at once and that key is
// dropped (its epoch ends: only the people it was for can read it), then goes on under a new
// key for the people present now, so nobody can read what was said while they were away. How
// long recordings are kept, and who may read them, is policy (retain, disclose) that the board
// enforces, not this app.
import { EventKind, Status, audio, enclave, presence } from "osmose";

const mic = audio.microphone("mic");
const vault = enclave.open("vault");
// The key stays inside the enclave; the app only ever holds its handle (-1: none, not recording).
let key = -1;

/**
 * At boot, and when the board restarts the app (the watchdog does after a trap or an event
 * that ran too long): records for the people already in the room, under a new key, rather
 * than waiting for the next arrival or departure. Nobody there: nothing to do.
 */
export function start(): Status {
  return record();
}

export function handle(kind: EventKind, source: i32, value: i32): Status {
  if (kind != EventKind.Arrived && kind != EventKind.Left) return Status.Ignored;
  const paused = pause();
  if (paused != Status.Ok) return paused;
  return record();
}

/** Starts recording under a new key for the people present now. */
function record(): Status {
  const present = presence.count();
  // Presence could not be read: without knowing who is here there is no key to record under.
  if (present < 0) return present;
  const people = presence.here();
  if (people.length == 0) return Status.Ok; // they left already: nothing to record
  const derived = vault.groupKey(people);
  if (derived < 0) return derived;
  const status = mic.recordInto(vault, derived);
  if (status != Status.Ok) {
    // Not recording: hold no key.
    vault.dropKey(derived);
    return status;
  }
  key = derived;
  return Status.Ok;
}

/** Stops recording and drops its key; nothing to do when not recording. */
function pause(): Status {
  if (key < 0) return Status.Ok;
  const stopped = mic.stop();
  const dropped = vault.dropKey(key);
  key = -1;
  return stopped != Status.Ok ? stopped : dropped;
}
