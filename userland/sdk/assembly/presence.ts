import { Person } from "./codes";
import { presence_count, presence_destination, presence_list } from "./host";
import { growScratch, scratchCap, scratchPtr, scratchText } from "./text";

/** Who is in the app's space, as pseudonymous person handles. Never who they are. */
export namespace presence {
  export function count(): i32 {
    return presence_count();
  }

  /** The people in the space now (empty also when presence fails). */
  export function here(): StaticArray<Person> {
    let people = new StaticArray<Person>(max(presence_count(), 0));
    let total = presence_list(changetype<usize>(people), people.length);
    if (total > people.length) {
      // Someone arrived between the two calls.
      people = new StaticArray<Person>(total);
      total = presence_list(changetype<usize>(people), people.length);
    }
    if (total < 0) return new StaticArray<Person>(0);
    if (total < people.length) return StaticArray.slice<Person>(people, 0, total);
    return people;
  }

  /** The id of the space this person is expected in, or "" when nobody expects them. */
  export function destinationOf(person: Person): string {
    let length = presence_destination(person, scratchPtr(), scratchCap());
    if (length > 0 && growScratch(length)) length = presence_destination(person, scratchPtr(), scratchCap());
    if (length < 0) return "";
    return scratchText(length);
  }
}
