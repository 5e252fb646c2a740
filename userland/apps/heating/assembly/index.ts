// Preheats the space for the working day: the heater is on from `settings.from` to
// `settings.until` o'clock, local time (building.timezone), so the room is warm before
// anyone arrives. There is no thermostat yet; with a temperature sensor this would hold a
// set point instead of following a schedule.
import { EventKind, Status, clock, config, gpio } from "osmose";

const heater = gpio.output("heater");
// Once a minute is often enough for an hourly schedule.
const tick = clock.every(60_000);

export function start(): Status {
  return apply();
}

export function handle(kind: EventKind, source: i32, value: i32): Status {
  if (kind != EventKind.Timer || !tick.is(source)) return Status.Ignored;
  return apply();
}

function apply(): Status {
  const hour = clock.localHour();
  const on = hour >= config.settingInt("from", 7) && hour < config.settingInt("until", 19);
  return heater.write(on);
}
