// Records the meeting into the room's enclave, encrypted under a group key for exactly the
// people present. When anyone leaves, recording pauses at once and that key is dropped, so
// the others can talk freely; when someone arrives, recording resumes under a new key for
// the people then present. How long recordings are kept, and who may read them, is policy
// (retain, disclose) that the board enforces, not this app.
import { EventKind, Status, audio, enclave, presence } from "osmose";

const mic = audio.microphone("mic");
const vault = enclave.open("vault");
// The key stays inside the enclave; the app only ever holds its handle.
let key = -1;

export function handle(kind: EventKind, source: i32, value: i32): Status {
  if (kind == EventKind.Left) return pause();
  if (kind != EventKind.Arrived) return Status.Ignored;
  const paused = pause();
  if (paused != Status.Ok) return paused;
  key = vault.groupKey(presence.here());
  if (key < 0) return key;
  return mic.recordInto(vault, key);
}

function pause(): Status {
  if (key < 0) return Status.Ok;
  const stopped = mic.stop();
  const dropped = vault.dropKey(key);
  key = -1;
  return stopped != Status.Ok ? stopped : dropped;
}
