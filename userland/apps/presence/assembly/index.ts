// Greets each person admitted at the entrance: a welcome aimed at them on the directional
// speaker, and the entrance screen saying so while anyone is there. It keeps nothing about
// anyone: no list, no log line, no storage, no channel; a person is a pseudonym for one
// event and is forgotten when handle returns. The welcome it ships (clips/welcome.wav) is an
// earcon standing in for a recorded greeting.
import { EventKind, Everyone, Status, config, display, presence, audio } from "osmose";

const screen = display.open("screen");
const speaker = audio.speaker("speaker");

// What the screen shows: -1 not drawn yet (or a draw failed), 0 the idle screen, 1 the welcome.
let shown: i32 = -1;

export function start(): Status {
  const present = presence.count();
  // Presence could not be read: show the idle screen, and let the board record why.
  const status = show(present > 0);
  return present < 0 ? present : status;
}

export function handle(kind: EventKind, source: i32, value: i32): Status {
  // value: how many people are present now.
  if (kind == EventKind.Arrived) return greet(source);
  if (kind == EventKind.Left) return value > 0 ? Status.Ok : show(false);
  return Status.Ignored;
}

function greet(person: i32): Status {
  const drawn = show(true);
  let played = speaker.play("welcome", person);
  // A speaker that cannot aim says the welcome to everyone in the entrance: it names nobody.
  if (played == Status.Unsupported) played = speaker.play("welcome", Everyone);
  return drawn != Status.Ok ? drawn : played;
}

/** Draws the welcome or the idle screen, unless it is showing already (e-ink redraws slowly). */
function show(welcome: bool): Status {
  const want: i32 = welcome ? 1 : 0;
  if (want == shown) return Status.Ok;
  const name = config.buildingName();
  const status = screen.showText(welcome ? "Welcome to " + name : name);
  // Remember only what is really on the screen, so a failed draw is tried again.
  shown = status == Status.Ok ? want : -1;
  return status;
}
