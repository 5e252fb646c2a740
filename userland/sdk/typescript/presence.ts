// Who is in the app's space and who is on their way to it, as pseudonymous person handles,
// and what each prefers. Never who they are. Imported as one namespace: `presence.count()`.
import type { Person } from './codes.js';
import { presence_count, presence_destination, presence_expected, presence_list, presence_preference, takeBytes, takeInts } from './host.js';
import { decodeUtf8 } from './text.js';

/** How many people are in the space; a negative Status when presence fails. */
export function count(): number {
  return presence_count();
}

/** How many people are expected in the space and not there yet; a negative Status when presence fails. */
export function expectedCount(): number {
  return presence_expected(0);
}

/** The people in the space now (empty also when presence fails). */
export function here(): Person[] {
  return people(false);
}

/** The people expected in the space and not there yet (empty also when presence fails). */
export function expected(): Person[] {
  return people(true);
}

/** The id of the space this person is expected in, or "" when nobody expects them. */
export function destinationOf(person: Person): string {
  let length = presence_destination(person, 128);
  let bytes = takeBytes();
  if (length > 128) {
    length = presence_destination(person, length);
    bytes = takeBytes();
  }
  return length < 0 ? '' : decodeUtf8(bytes);
}

/**
 * A preference of someone present or expected: `"temperature"` in tenths of a degree
 * Celsius (215 is 21.5 °C). Never negative: Status.NotFound (negative) when they stated none.
 */
export function preferenceOf(person: Person, name: string): number {
  return presence_preference(person, name);
}

function people(coming: boolean): Person[] {
  const ask = (room: number): number => (coming ? presence_expected(room) : presence_list(room));
  let room = Math.max(coming ? expectedCount() : presence_count(), 0);
  let total = ask(room);
  let list = takeInts();
  if (total > room) {
    // Someone arrived (or was expected) between the two calls.
    room = total;
    total = ask(room);
    list = takeInts();
  }
  return total < 0 ? [] : list;
}
