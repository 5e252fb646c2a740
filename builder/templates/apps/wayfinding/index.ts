// Guides each person who arrives to the room they are expected in, with a spoken direction
// from a tight-beam speaker that only they hear. People are pseudonyms here: the app learns
// where someone is going, never who they are.
import { Event, EventKind, Status, audio, presence } from "osmose";

export function handle(event: Event): Status {
  if (event.kind != EventKind.Arrived) return Status.Ignored;
  const room = presence.destinationOf(event.person);
  if (room.length == 0) return Status.Ignored; // nobody expects them: say nothing
  // One recorded clip per destination ships with the app, under directions/.
  return audio.playTo("speaker", "directions/" + room, event.person);
}
