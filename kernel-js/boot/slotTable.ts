/**
 * The boot decision, as MCUboot and Mender make it: a constant table over the slot flags,
 * first matching row wins, an explicit panic row last. A slot that cannot be read, does not
 * verify, or is below the version floor is not `valid`: an unreadable slot counts as empty.
 *
 * `confirmed` is false while the active slot is on trial (just switched to, not yet reported
 * healthy); `bootsLeft` is false once the trial has used up its boots.
 */
export interface SlotFlags {
  readonly activeValid: boolean;
  readonly otherValid: boolean;
  readonly confirmed: boolean;
  readonly bootsLeft: boolean;
}

/**
 * What to do: boot the active slot as it is (`boot`), boot it on trial and count the boot
 * (`try`), switch to the other slot and boot it confirmed (`rollback`: a trial that never
 * became healthy; `fall-back`: the active slot is broken), or stop (`panic`).
 */
export type SlotAction = 'boot' | 'try' | 'keep-unconfirmed' | 'rollback' | 'fall-back' | 'panic';

type Want = boolean | 'any';

export interface SlotRow {
  readonly name: string;
  readonly when: { readonly [K in keyof SlotFlags]: Want };
  readonly action: SlotAction;
  readonly why: string;
}

export const slotTable: readonly SlotRow[] = [
  { name: 'confirmed', when: { activeValid: true, otherValid: 'any', confirmed: true, bootsLeft: 'any' }, action: 'boot', why: 'the active slot verifies and was confirmed healthy' },
  { name: 'trial', when: { activeValid: true, otherValid: 'any', confirmed: false, bootsLeft: true }, action: 'try', why: 'the active slot is on trial and has boots left' },
  { name: 'trial-failed', when: { activeValid: true, otherValid: true, confirmed: false, bootsLeft: false }, action: 'rollback', why: 'the trial used up its boots without being confirmed; the other slot verifies' },
  { name: 'trial-failed-alone', when: { activeValid: true, otherValid: false, confirmed: false, bootsLeft: false }, action: 'keep-unconfirmed', why: 'the trial used up its boots, but the other slot does not verify: the active one is all there is' },
  { name: 'active-broken', when: { activeValid: false, otherValid: true, confirmed: 'any', bootsLeft: 'any' }, action: 'fall-back', why: 'the active slot does not verify; the other one does' },
  { name: 'panic', when: { activeValid: 'any', otherValid: 'any', confirmed: 'any', bootsLeft: 'any' }, action: 'panic', why: 'no slot verifies' },
];

function matches(row: SlotRow, flags: SlotFlags): boolean {
  return (Object.keys(row.when) as (keyof SlotFlags)[]).every((key) => row.when[key] === 'any' || row.when[key] === flags[key]);
}

/** The first row of the table that matches; the panic row matches anything. */
export function decideSlot(flags: SlotFlags, table: readonly SlotRow[] = slotTable): SlotRow {
  const row = table.find((candidate) => matches(candidate, flags));
  // The table ends with a row that matches everything; a table without one is a bug.
  if (row === undefined) throw new Error('slot table has no row for these flags and no panic row');
  return row;
}
