// Shows the space's name on its e-ink wall and whether anyone is in it. E-ink keeps its
// image without power and refreshes slowly, so the app redraws only when the answer changes.
import { EventKind, Status, config, display, presence } from "osmose";

const screen = display.open("screen");
let occupied = false;

export function start(): Status {
  occupied = presence.count() > 0;
  return draw();
}

export function handle(kind: EventKind, source: i32, value: i32): Status {
  if (kind != EventKind.Arrived && kind != EventKind.Left) return Status.Ignored;
  // value: how many people are present now.
  const now = value > 0;
  if (now == occupied) return Status.Ignored;
  occupied = now;
  return draw();
}

function draw(): Status {
  const name = config.spaceName();
  return screen.showText(occupied ? name + " - in use" : name + " - free");
}
