// Toggles the lamp each time the button is pressed. The app is placed with
// `has: [button, lamp]`, so both are devices of the board it runs on and a press never
// leaves the board.
import { Event, EventKind, Status, gpio } from "osmose";

let lit = false;

export function handle(event: Event): Status {
  // One debounced press is one event; its release is not a second press.
  if (event.kind != EventKind.Press || event.device != "button") return Status.Ignored;
  const status = gpio.write("lamp", !lit);
  // Keep the remembered state true to the lamp: only flip it when the write worked.
  if (status == Status.Ok) lit = !lit;
  return status;
}
