import { Person } from "./codes";
import { presence_count, presence_destination, presence_expected, presence_list, presence_preference } from "./host";
import { growScratch, scratchCap, scratchPtr, scratchText, utf8 } from "./text";

/**
 * Who is in the app's space and who is on their way to it, as pseudonymous person handles,
 * and what each prefers. Never who they are.
 */
export namespace presence {
  export function count(): i32 {
    return presence_count();
  }

  /** How many people are expected in the space and not there yet; a negative Status when presence fails. */
  export function expectedCount(): i32 {
    return presence_expected(0, 0);
  }

  /** The people in the space now (empty also when presence fails). */
  export function here(): StaticArray<Person> {
    return people(false);
  }

  /** The people expected in the space and not there yet (empty also when presence fails). */
  export function expected(): StaticArray<Person> {
    return people(true);
  }

  /** The id of the space this person is expected in, or "" when nobody expects them. */
  export function destinationOf(person: Person): string {
    let length = presence_destination(person, scratchPtr(), scratchCap());
    if (length > 0 && growScratch(length)) length = presence_destination(person, scratchPtr(), scratchCap());
    if (length < 0) return "";
    return scratchText(length);
  }

  /**
   * A preference of someone present or expected: `"temperature"` in tenths of a degree
   * Celsius (215 is 21.5 °C). Never negative: Status.NotFound (negative) when they stated none.
   */
  export function preferenceOf(person: Person, name: string): i32 {
    const bytes = utf8(name);
    return presence_preference(person, changetype<usize>(bytes), bytes.byteLength);
  }

  function people(coming: bool): StaticArray<Person> {
    let list = new StaticArray<Person>(max(coming ? expectedCount() : presence_count(), 0));
    let total = coming ? presence_expected(changetype<usize>(list), list.length) : presence_list(changetype<usize>(list), list.length);
    if (total > list.length) {
      // Someone arrived (or was expected) between the two calls.
      list = new StaticArray<Person>(total);
      total = coming ? presence_expected(changetype<usize>(list), list.length) : presence_list(changetype<usize>(list), list.length);
    }
    if (total < 0) return new StaticArray<Person>(0);
    if (total < list.length) return StaticArray.slice<Person>(list, 0, total);
    return list;
  }
}
