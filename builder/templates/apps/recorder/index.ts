// Records the meeting into the room's enclave, encrypted under a group key for exactly the
// people present. When anyone leaves, recording pauses at once and that key is dropped, so
// the others can talk freely; when someone arrives, recording resumes under a new key for
// the people then present. How long recordings are kept, and who may read them, is policy
// (retain, disclose) that the board enforces, not this app.
import { Event, EventKind, Status, audio, enclave, presence } from "osmose";

export function handle(event: Event): Status {
  if (event.kind == EventKind.Left) {
    const paused = audio.pause("mic");
    if (paused != Status.Ok) return paused;
    return enclave.dropGroupKey("vault");
  }
  if (event.kind != EventKind.Arrived) return Status.Ignored;
  // The key stays inside the enclave; the app only ever holds its handle.
  const key = enclave.groupKey("vault", presence.here());
  if (key < 0) return Status.Failed;
  return audio.recordInto("mic", "vault", key);
}
