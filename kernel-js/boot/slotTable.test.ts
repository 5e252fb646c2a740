import { describe, expect, it } from 'vitest';
import { decideSlot, slotTable, type SlotFlags } from './slotTable.js';

const flagNames = ['activeValid', 'otherValid', 'confirmed', 'bootsLeft'] as const;
const allFlags: SlotFlags[] = Array.from({ length: 16 }, (_, n) => ({
  activeValid: (n & 1) !== 0,
  otherValid: (n & 2) !== 0,
  confirmed: (n & 4) !== 0,
  bootsLeft: (n & 8) !== 0,
}));

describe('the slot table', () => {
  it.each([
    ['confirmed', { activeValid: true, otherValid: false, confirmed: true, bootsLeft: false }, 'boot'],
    ['trial', { activeValid: true, otherValid: true, confirmed: false, bootsLeft: true }, 'try'],
    ['trial-failed', { activeValid: true, otherValid: true, confirmed: false, bootsLeft: false }, 'rollback'],
    ['trial-failed-alone', { activeValid: true, otherValid: false, confirmed: false, bootsLeft: false }, 'keep-unconfirmed'],
    ['active-broken', { activeValid: false, otherValid: true, confirmed: true, bootsLeft: true }, 'fall-back'],
    ['panic', { activeValid: false, otherValid: false, confirmed: true, bootsLeft: true }, 'panic'],
  ] as const)('row %s: %j → %s', (name, flags, action) => {
    const row = decideSlot(flags);
    expect(row.name).toBe(name);
    expect(row.action).toBe(action);
  });

  it('ends with a panic row that matches anything', () => {
    const last = slotTable.at(-1);
    expect(last?.action).toBe('panic');
    for (const name of flagNames) expect(last?.when[name]).toBe('any');
  });

  it('reaches a row for every combination of flags, and every row is reached by some', () => {
    const reached = new Set(allFlags.map((flags) => decideSlot(flags).name));
    expect([...reached].sort()).toEqual(slotTable.map((row) => row.name).sort());
  });

  it('boots nothing that does not verify, and panics exactly when no slot verifies', () => {
    for (const flags of allFlags) {
      const { action } = decideSlot(flags);
      if (action === 'boot' || action === 'try' || action === 'keep-unconfirmed') expect(flags.activeValid).toBe(true);
      if (action === 'rollback' || action === 'fall-back') expect(flags.otherValid).toBe(true);
      expect(action === 'panic').toBe(!flags.activeValid && !flags.otherValid);
    }
  });

  it('fails loudly on a table without a panic row', () => {
    expect(() => decideSlot({ activeValid: false, otherValid: false, confirmed: false, bootsLeft: false }, slotTable.slice(0, -1))).toThrow(/no panic row/);
  });
});
