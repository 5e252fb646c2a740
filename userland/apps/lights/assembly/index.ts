// Lights the space for the people who use it, and leaves the switch in their hands. The lamp
// comes on as soon as someone is expected (admitted at the entrance for this room, or on their
// way to it), so the room is lit before they walk in, and when someone arrives; it goes off
// when the last person leaves and nobody is expected. Each press of the button toggles it in
// between, whatever presence says. The app is placed with `has: [button, lamp]`, or by space
// with the lamp on another board, reached across a circuit.
import { EventKind, Status, gpio, presence } from "osmose";

const button = gpio.input("button");
const lamp = gpio.output("lamp");

// The gpio-out driver leaves the lamp off at boot.
let lit = false;

export function handle(kind: EventKind, source: i32, value: i32): Status {
  // The gpio-in driver debounces (the button's `debounce` in building.yaml): one press is
  // one Press event, and its release is a Release, not a second press.
  if (kind == EventKind.Press) return button.is(source) ? toggle() : Status.Ignored;
  if (kind == EventKind.Expected || kind == EventKind.Arrived) return lit ? Status.Ok : toggle();
  // value is how many are present (Left) or expected (NotExpected) now; the other is asked.
  if (kind == EventKind.Left) return leftEmpty(value, presence.expectedCount());
  if (kind == EventKind.NotExpected) return leftEmpty(presence.count(), value);
  return Status.Ignored;
}

/** Off when nobody is present and nobody expected; presence that cannot be read leaves the lamp as it is. */
function leftEmpty(present: i32, expected: i32): Status {
  if (present < 0) return present;
  if (expected < 0) return expected;
  return present == 0 && expected == 0 && lit ? toggle() : Status.Ok;
}

function toggle(): Status {
  const status = lamp.write(!lit);
  // Keep the remembered state true to the lamp: only flip it when the write worked.
  if (status == Status.Ok) lit = !lit;
  return status;
}
