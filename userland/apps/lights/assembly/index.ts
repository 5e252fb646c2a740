// Toggles the lamp each time the button is pressed. The app is placed with
// `has: [button, lamp]`, so both are devices of the board it runs on and a press never
// leaves the board.
import { EventKind, Status, gpio } from "osmose";

const button = gpio.input("button");
const lamp = gpio.output("lamp");

// The gpio-out driver leaves the lamp off at boot.
let lit = false;

export function handle(kind: EventKind, source: i32, value: i32): Status {
  // The gpio-in driver debounces (the button's `debounce` in building.yaml): one press is
  // one Press event, and its release is a Release, not a second press.
  if (kind != EventKind.Press || !button.is(source)) return Status.Ignored;
  const status = lamp.write(!lit);
  // Keep the remembered state true to the lamp: only flip it when the write worked.
  if (status == Status.Ok) lit = !lit;
  return status;
}
