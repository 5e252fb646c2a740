// Heats a space for the people in it and those on their way to it. The heater is a relay
// (gpio-out) and there is no thermometer, so the per-room "setpoint" is a choice between two
// levels: comfort (heater on) while anyone is present or expected, from the moment someone is
// expected (so the room warms before they walk in) or arrives, and during a short morning
// preheat window so the first people in find the room warm; setback (heater off) the rest of
// the time. The comfort target is the highest temperature the people present or expected
// prefer (21 °C when none says): a relay cannot hold it, so it is logged once per change
// ("meeting-1: comfort 22.5 °C for 2 people"); with a temperature driver it would be held.
import { EventKind, Person, Status, clock, config, gpio, log, presence } from "osmose";

const heater = gpio.output("heater");
// Once a minute: the preheat window opens and closes on the hour, and presence is read
// again in case an event was lost.
const tick = clock.every(60_000);
const space = config.spaceId();

// What the relay was last set to: -1 unknown (at start, or after a failed write), 0 off, 1 on.
let written: i32 = -1;
// The last line logged, so that each change is logged once.
let said = "";

export function start(): Status {
  const status = apply(-1);
  if (status != Status.Ok) return status;
  return tick.id < 0 ? tick.id : Status.Ok;
}

export function handle(kind: EventKind, source: i32, value: i32): Status {
  // Someone arriving or on their way means comfort at once, whatever the counts say.
  if (kind == EventKind.Arrived || kind == EventKind.Expected) return apply(source);
  if (kind == EventKind.Left || kind == EventKind.NotExpected) return apply(-1);
  if (kind == EventKind.Timer && tick.is(source)) return apply(-1);
  return Status.Ignored;
}

/**
 * Comfort for the people present or expected (and `coming`, the person an event just named,
 * or -1), or in the preheat window; setback otherwise.
 */
function apply(coming: Person): Status {
  const present = presence.count();
  const expected = presence.expectedCount();
  // Presence could not be read: keep the heater as it is rather than guess, unless an event
  // has just named someone on their way in.
  if (coming < 0 && present < 0) return present;
  if (coming < 0 && expected < 0) return expected;
  const people = everyone(coming);
  if (people.length > 0) return set(true, comfortFor(people), people.length);
  return set(preheating(), comfortFor(people), 0);
}

/** The people present, then those expected who are not yet, then `coming` if neither list has them yet. */
function everyone(coming: Person): Person[] {
  const people: Person[] = [];
  const here = presence.here();
  for (let i = 0; i < here.length; i++) people.push(here[i]);
  const expected = presence.expected();
  for (let i = 0; i < expected.length; i++) if (!people.includes(expected[i])) people.push(expected[i]);
  if (coming > 0 && !people.includes(coming)) people.push(coming);
  return people;
}

/** The highest preferred temperature among `people`, in tenths of °C, or the room's default (settings.comfort, 210). */
function comfortFor(people: Person[]): i32 {
  let best: i32 = 0;
  for (let i = 0; i < people.length; i++) {
    const preferred = presence.preferenceOf(people[i], "temperature");
    if (preferred > best) best = preferred;
  }
  return best > 0 ? best : config.settingInt("comfort", 210);
}

function preheating(): bool {
  const hour = clock.localHour();
  return hour >= config.settingInt("preheatFrom", 7) && hour < config.settingInt("preheatUntil", 9);
}

function set(on: bool, target: i32, people: i32): Status {
  const level: i32 = on ? 1 : 0;
  let status = Status.Ok;
  if (level != written) {
    status = heater.write(on);
    // Remember only what really happened, so a failed write is tried again at the next tick.
    written = status == Status.Ok ? level : -1;
  }
  if (status == Status.Ok) say(on ? comfortLine(target, people) : space + ": setback");
  return status;
}

function comfortLine(target: i32, people: i32): string {
  const degrees = (target / 10).toString() + "." + (target % 10).toString() + " °C";
  if (people == 0) return space + ": comfort " + degrees + ", preheating";
  return space + ": comfort " + degrees + " for " + people.toString() + (people == 1 ? " person" : " people");
}

function say(line: string): void {
  if (line == said) return;
  said = line;
  log.info(line);
}
