// Heats a space while people are in it. The heater is a relay (gpio-out) and there is no
// thermometer, so the per-room "setpoint" is a choice between two levels: comfort (heater
// on) while anyone is present, from the moment someone arrives, and during a short morning
// preheat window so the first people in find the room warm; setback (heater off) the rest
// of the time. With a temperature driver this would hold a temperature instead.
import { EventKind, Status, clock, config, gpio, presence } from "osmose";

const heater = gpio.output("heater");
// Once a minute: the preheat window opens and closes on the hour, and presence is read
// again in case an event was lost.
const tick = clock.every(60_000);

// What the relay was last set to: -1 unknown (at start, or after a failed write), 0 off, 1 on.
let written: i32 = -1;

export function start(): Status {
  const status = apply(presence.count());
  if (status != Status.Ok) return status;
  return tick.id < 0 ? tick.id : Status.Ok;
}

export function handle(kind: EventKind, source: i32, value: i32): Status {
  // An arrival means comfort at once, whatever the count says; value is people present now.
  if (kind == EventKind.Arrived) return set(true);
  if (kind == EventKind.Left) return apply(value);
  if (kind == EventKind.Timer && tick.is(source)) return apply(presence.count());
  return Status.Ignored;
}

/** Comfort when `present` people are in the space or the preheat window is open, else setback. */
function apply(present: i32): Status {
  // Presence could not be read: keep the heater as it is rather than guess.
  if (present < 0) return present;
  return set(present > 0 || preheating());
}

function preheating(): bool {
  const hour = clock.localHour();
  return hour >= config.settingInt("preheatFrom", 7) && hour < config.settingInt("preheatUntil", 9);
}

function set(on: bool): Status {
  const level: i32 = on ? 1 : 0;
  if (level == written) return Status.Ok;
  const status = heater.write(on);
  // Remember only what really happened, so a failed write is tried again at the next tick.
  written = status == Status.Ok ? level : -1;
  return status;
}
