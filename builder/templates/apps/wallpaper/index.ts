// Shows the space's name on its e-ink wall and whether anyone is in it. E-ink keeps its
// image without power and refreshes slowly, so the app redraws only when the answer changes.
import { Event, EventKind, Status, config, display, presence } from "osmose";

let occupied = false;

export function start(): Status {
  occupied = presence.here().length > 0;
  return draw();
}

export function handle(event: Event): Status {
  if (event.kind != EventKind.Arrived && event.kind != EventKind.Left) return Status.Ignored;
  const now = presence.here().length > 0;
  if (now == occupied) return Status.Ignored;
  occupied = now;
  return draw();
}

function draw(): Status {
  const name = config.text("space.name", "");
  return display.showText("screen", occupied ? name + " - in use" : name + " - free");
}
