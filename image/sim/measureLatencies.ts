import type { JournalEntry } from './SimJournal.js';

/** One cause matched to its effect in the journal. */
export interface LatencySample {
  readonly cause: JournalEntry;
  readonly effect: JournalEntry;
  readonly ms: number;
}

/** What the timeline measures, each as the samples it found. */
export interface Latencies {
  /** Someone expected in a space → its lamp lit (the room prepared ahead of them). */
  readonly expectedToLights: readonly LatencySample[];
  /** Someone expected in a space → its heater on. */
  readonly expectedToHeating: readonly LatencySample[];
  /** Someone arrived in a space → its lamp lit; negative when it was lit before they came (it was prepared). */
  readonly arrivalToLights: readonly LatencySample[];
  /** Someone left a space → the recorder there paused (its key epoch ended). */
  readonly leaveToPause: readonly LatencySample[];
  /** A button pressed → a lamp of its space changed. */
  readonly buttonToLamp: readonly LatencySample[];
}

type Output = Extract<JournalEntry, { kind: 'output' }>;

/**
 * Matches causes to effects in a journal: each cause with the first effect after it on a
 * board of the same space. `spaceOf` names the space of each board (the innermost, as the
 * plan has it). Every time is on the simulator's one monotonic clock.
 */
export function measureLatencies(entries: readonly JournalEntry[], spaceOf: (board: string) => string | undefined): Latencies {
  const after = <T extends JournalEntry>(cause: JournalEntry, matches: (entry: JournalEntry) => entry is T): T | undefined =>
    entries.find((entry): entry is T => entry.seq > cause.seq && matches(entry));
  const sample = (cause: JournalEntry, effect: JournalEntry | undefined): LatencySample[] => (effect === undefined ? [] : [{ cause, effect, ms: round(effect.at - cause.at) }]);
  const output = (space: string, device: string, level?: number) => (entry: JournalEntry): entry is Output =>
    entry.kind === 'output' && entry.device === device && spaceOf(entry.board) === space && (level === undefined || entry.level === level);
  const presence = (change: string) => entries.filter((entry): entry is Extract<JournalEntry, { kind: 'presence' }> => entry.kind === 'presence' && entry.change === change);

  /** The last time `device` of the space was driven before `cause`, if it was. */
  const lastBefore = (cause: JournalEntry, space: string, device: string): Output | undefined =>
    entries.findLast((entry): entry is Output => entry.seq < cause.seq && output(space, device)(entry));
  /** The first time `device` came on after `cause`; nothing when it was on already (someone else's cause turned it on). */
  const turnedOn = (cause: Extract<JournalEntry, { kind: 'presence' }>, device: string): LatencySample[] =>
    lastBefore(cause, cause.space, device)?.level === 1 ? [] : sample(cause, after(cause, output(cause.space, device, 1)));

  const expected = presence('expected');
  const arrivalToLights = presence('arrived').flatMap((arrival) => {
    // The lamp lit last before the arrival (prepared), or the first after it.
    const lit = lastBefore(arrival, arrival.space, 'lamp');
    if (lit?.level === 1) return [{ cause: arrival, effect: lit, ms: round(lit.at - arrival.at) }];
    return sample(arrival, after(arrival, output(arrival.space, 'lamp', 1)));
  });
  return {
    expectedToLights: expected.flatMap((cause) => turnedOn(cause, 'lamp')),
    expectedToHeating: expected.flatMap((cause) => turnedOn(cause, 'heater')),
    arrivalToLights,
    leaveToPause: presence('left').flatMap((cause) =>
      sample(cause, after(cause, (entry): entry is Extract<JournalEntry, { kind: 'recording' }> => entry.kind === 'recording' && entry.change === 'end' && spaceOf(entry.board) === cause.space)),
    ),
    buttonToLamp: entries
      .filter((entry): entry is Extract<JournalEntry, { kind: 'press' }> => entry.kind === 'press')
      .flatMap((press) => {
        const space = spaceOf(press.board);
        return space === undefined ? [] : sample(press, after(press, (entry): entry is Output => entry.kind === 'output' && entry.device === 'lamp' && spaceOf(entry.board) === space));
      }),
  };
}

/** p50, p99 and the largest of some samples, in ms; undefined for none. */
export function summarise(samples: readonly LatencySample[]): { readonly n: number; readonly p50: number; readonly p99: number; readonly max: number } | undefined {
  if (samples.length === 0) return undefined;
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
