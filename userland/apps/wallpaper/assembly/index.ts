// Shows the space's name on its e-ink wall and whether anyone is in it. E-ink keeps its
// image without power and refreshes slowly, so the app redraws only when the answer changes.
import { EventKind, Status, config, display, presence } from "osmose";

const screen = display.open("screen");
// What the screen shows: -1 nothing yet (or a draw failed, or presence could not be read),
// 0 free, 1 in use.
let shown: i32 = -1;

export function start(): Status {
  const present = presence.count();
  // Presence could not be read: show the name alone rather than guess, and report why.
  if (present < 0) {
    screen.showText(config.spaceName());
    return present;
  }
  return show(present > 0 ? 1 : 0);
}

export function handle(kind: EventKind, source: i32, value: i32): Status {
  if (kind != EventKind.Arrived && kind != EventKind.Left) return Status.Ignored;
  // value: how many people are present now.
  return show(value > 0 ? 1 : 0);
}

function show(occupied: i32): Status {
  if (occupied == shown) return Status.Ok;
  const name = config.spaceName();
  const status = screen.showText(occupied == 1 ? name + " - in use" : name + " - free");
  // Remember only what is really on the wall, so a failed draw is tried again.
  shown = status == Status.Ok ? occupied : -1;
  return status;
}
