import { describe, expect, it } from 'vitest';
import { measureLatencies, summarise } from './measureLatencies.js';
import type { JournalEntry, JournalEvent } from './SimJournal.js';

const spaces = new Map([
  ['meeting-1-door', 'meeting-1'],
  ['meeting-1-heating', 'meeting-1'],
  ['meeting-1-table', 'meeting-1'],
  ['booth-door', 'booth'],
  ['booth-ceiling', 'booth'],
]);

function journal(...timed: [number, JournalEvent][]): JournalEntry[] {
  return timed.map(([at, event], index) => ({ ...event, seq: index + 1, at }));
}

describe('measureLatencies', () => {
  it('matches each cause to the first effect after it in the same space', () => {
    const entries = journal(
      [0, { kind: 'presence', space: 'meeting-1', person: 7, who: 'p-a', change: 'expected' }],
      [1.5, { kind: 'output', board: 'booth-ceiling', device: 'lamp', level: 1 }],
      [2.25, { kind: 'output', board: 'meeting-1-door', device: 'lamp', level: 1 }],
      [3, { kind: 'output', board: 'meeting-1-heating', device: 'heater', level: 1 }],
      [4000, { kind: 'presence', space: 'meeting-1', person: 8, who: 'p-b', change: 'expected' }],
      [5000, { kind: 'presence', space: 'meeting-1', person: 7, who: 'p-a', change: 'arrived' }],
      [5001, { kind: 'recording', board: 'meeting-1-table', device: 'vault', epoch: 'e1', change: 'begin', members: 1, reason: '' }],
      [9000, { kind: 'presence', space: 'meeting-1', person: 7, who: 'p-a', change: 'left' }],
      [9002.5, { kind: 'recording', board: 'meeting-1-table', device: 'vault', epoch: 'e1', change: 'end', members: 1, reason: 'left' }],
      [9100, { kind: 'press', board: 'booth-door', device: 'button' }],
      [9100.4, { kind: 'output', board: 'booth-ceiling', device: 'lamp', level: 0 }],
    );
    const latencies = measureLatencies(entries, (board) => spaces.get(board));
    // p-b was expected when the room was lit and warm already: nothing of theirs to measure.
    expect(latencies.expectedToLights.map((s) => s.ms)).toEqual([2.25]);
    expect(latencies.expectedToHeating.map((s) => s.ms)).toEqual([3]);
    // The lamp was lit 4997.75 ms before the person walked in: prepared ahead.
    expect(latencies.arrivalToLights.map((s) => s.ms)).toEqual([-4997.75]);
    expect(latencies.leaveToPause.map((s) => s.ms)).toEqual([2.5]);
    expect(latencies.buttonToLamp.map((s) => s.ms)).toEqual([0.4]);
  });

  it('finds nothing where no effect followed, and summarises what it found', () => {
    const entries = journal([0, { kind: 'presence', space: 'meeting-1', person: 1, who: 'p-b', change: 'left' }], [1, { kind: 'output', board: 'meeting-1-door', device: 'lamp', level: 0 }]);
    expect(measureLatencies(entries, (board) => spaces.get(board)).leaveToPause).toEqual([]);
    expect(summarise([])).toBeUndefined();
    const samples = [3, 1, 2].map((ms) => ({ cause: entries[0] as JournalEntry, effect: entries[1] as JournalEntry, ms }));
    expect(summarise(samples)).toEqual({ n: 3, p50: 2, p99: 3, max: 3 });
  });
});
