import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../image/sim/SimJournal.js';
import { WaitingJournal } from './WaitingJournal.js';

type Output = Extract<JournalEntry, { kind: 'output' }>;
const lamp = (level: number) => (entry: JournalEntry): entry is Output => entry.kind === 'output' && entry.level === level;

describe('WaitingJournal', () => {
  it('finds an effect journalled already, or waits for one to come, looking only after the given entry', async () => {
    const journal = new WaitingJournal();
    const before = journal.record({ kind: 'output', board: 'meeting-1-door', device: 'lamp', level: 1 });
    const mark = journal.last;

    // The lamp lit before the mark is not the effect of what followed it.
    const lit = journal.next(mark, lamp(1), 'the lamp lit again');
    const off = journal.record({ kind: 'output', board: 'meeting-1-door', device: 'lamp', level: 0 });
    const again = journal.record({ kind: 'output', board: 'meeting-1-door', device: 'lamp', level: 1 });
    expect((await lit).seq).toBe(again.seq);
    expect((await journal.next(mark, lamp(0), 'the lamp off')).seq).toBe(off.seq);
    expect((await journal.next(0, lamp(1), 'the lamp lit')).seq).toBe(before.seq);
    expect(journal.last).toBe(again.seq);
  });

  it('fails with bench.no-effect, naming what did not happen, when nothing matches in time', async () => {
    const journal = new WaitingJournal();
    const never = journal.next(journal.last, (entry): entry is Extract<JournalEntry, { kind: 'press' }> => entry.kind === 'press', 'a press of meeting-1-door.button', 20);
    journal.record({ kind: 'note', text: 'not a press' });
    await expect(never).rejects.toMatchObject({ code: 'bench.no-effect', data: { what: 'a press of meeting-1-door.button' } });
  });
});
