import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../lib/OsmoseError.js';
import { otherSlot, type SlotName } from '../boot/boardDirectory.js';
import { readBoardState, writeBoardState } from '../boot/boardStateFile.js';
import { confirmedState } from '../boot/confirmedState.js';
import { readSlot, readSlotAt } from '../boot/readSlot.js';
import { slotContext } from '../boot/slotContext.js';
import { readBoardIdentity } from '../boot/readBoardIdentity.js';
import { nextUpdateState, type UpdateEvent, type UpdateState } from './updateTable.js';

export interface InstalledUpdate {
  readonly slot: SlotName;
  readonly image: string;
  readonly version: number;
  /** Every state the agent passed through, from idle. */
  readonly states: readonly UpdateState[];
}

/** A slot file's name: the slot is flat, and nothing may reach outside it. */
export const slotFileName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Where a new slot is put together before it replaces the inactive slot: beside it, same file system. */
export function stagingDir(dir: string, slot: SlotName): string {
  return join(dir, `${slot}.staging`);
}

/** The slot an update would be installed into, refusing while the active slot is on trial. */
export function inactiveSlot(dir: string): SlotName {
  const state = readBoardState(dir);
  if (!state.confirmed) {
    throw new InputError('update.on-trial', `slot ${state.active} is on trial: installing into slot ${otherSlot(state.active)} would overwrite what the board falls back to`, {
      hint: 'let the trial end (confirmed or rolled back) first',
      data: { active: state.active },
    });
  }
  return otherSlot(state.active);
}

/**
 * Installs a new slot into the board directory's inactive slot, as an installer with every
 * file in hand does: stage the files beside the inactive slot (each flushed), then
 * switchToStaged. Anything refused leaves the board as it was.
 */
export async function installUpdate(dir: string, files: ReadonlyMap<string, Uint8Array>, clock: Date = new Date()): Promise<InstalledUpdate> {
  const staging = stagingDir(dir, inactiveSlot(dir));
  for (const name of files.keys()) {
    if (!slotFileName.test(name)) throw new InputError('update.bad-file-name', `an update may not hold a file named ${JSON.stringify(name)}`, { data: { name } });
  }
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  for (const [name, bytes] of files) await writeFile(join(staging, name), bytes, { flush: true });
  return switchToStaged(dir, [...files.keys()], ['idle'], 'staged', clock);
}

/**
 * Verifies the staging folder exactly as a boot would verify a slot, swaps it in for the
 * inactive slot, then makes it the active slot on trial in state.json (written atomically,
 * last). Files of the staging not in `keep` (partial downloads, an earlier offer's leftovers)
 * are removed first. A slot awaiting its commit is committed before its fallback is
 * overwritten: the board could no longer go back to it anyway. The next boot counts the trial;
 * whoever confirms it (the boot itself, or the update agent's health gate) does so once it is
 * healthy, and the slot table rolls back to the slot that ran before when its boots are used up.
 */
export async function switchToStaged(dir: string, keep: readonly string[], from: readonly UpdateState[], arrived: UpdateEvent, clock: Date = new Date()): Promise<InstalledUpdate> {
  const states: UpdateState[] = [...from];
  const step = (event: UpdateEvent): void => {
    const next = nextUpdateState(states.at(-1) ?? 'idle', event);
    if (next === undefined) throw new Error(`update agent: no row for ${event} in state ${states.at(-1)}`);
    states.push(next);
  };
  step(arrived);
  const inactive = inactiveSlot(dir);
  const staging = stagingDir(dir, inactive);
  const identity = readBoardIdentity(dir);
  let state = readBoardState(dir);

  const wanted = new Set(keep);
  for (const name of await readdir(staging)) if (!wanted.has(name)) await rm(join(staging, name), { recursive: true, force: true });

  const reading = readSlotAt(staging, inactive, slotContext(dir, identity.board, state, clock));
  if (!reading.ok) {
    step('verify-failed');
    await rm(staging, { recursive: true, force: true });
    throw new InputError('update.refused', `the update does not verify: ${reading.reason}`, { data: { code: reading.code, reason: reading.reason, states } });
  }
  step('verified');

  if (state.awaitingCommit === true) {
    const active = readSlot(dir, state.active, slotContext(dir, identity.board, state, clock));
    if (active.ok) state = confirmedState(state, active.slot);
  }
  await rm(join(dir, inactive), { recursive: true, force: true });
  await rename(staging, join(dir, inactive));
  await writeBoardState(dir, { ...state, active: inactive, confirmed: false, bootCount: 0 });
  step('switched');
  return { slot: inactive, image: reading.slot.manifest.signed.image, version: reading.slot.version, states };
}
