// Guides each person who arrives to the room they are expected in, with a spoken direction
// from a tight-beam speaker that only they hear. People are pseudonyms here: the app learns
// where someone is going, never who they are. The clips shipped in clips/directions/ are
// earcons (a few notes per room) standing in for recorded speech: replace them with recordings
// under the same names. Written in plain TypeScript (docs/typescript-apps.md).
import { app, audio, EventKind, presence, Status } from 'osmose';

const speaker = audio.speaker('speaker');

app({
  handle(kind, person) {
    if (kind !== EventKind.Arrived) return Status.Ignored;
    const room = presence.destinationOf(person);
    if (room === '') return Status.Ignored; // nobody expects them: say nothing
    // One clip per destination ships with the app, in clips/directions/.
    return speaker.play(`directions/${room}`, person);
  },
});
