// Preheats the space for the working day: the heater is on from `heating.from` to
// `heating.until` o'clock, local time (building.timezone), so the room is warm before
// anyone arrives. There is no thermostat yet; with a temperature sensor this would hold a
// set point instead of following a schedule.
import { Event, EventKind, Status, clock, config, gpio } from "osmose";

export function start(): Status {
  return apply();
}

export function handle(event: Event): Status {
  // The host sends a tick each minute; nothing else changes the schedule.
  if (event.kind != EventKind.Tick) return Status.Ignored;
  return apply();
}

function apply(): Status {
  const hour = clock.localHour();
  const on = hour >= config.int("heating.from", 7) && hour < config.int("heating.until", 19);
  return gpio.write("heater", on);
}
