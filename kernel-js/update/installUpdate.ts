import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../lib/OsmoseError.js';
import { boardFiles, otherSlot, type BoardIdentity, type SlotName } from '../boot/boardDirectory.js';
import { readBoardState, writeBoardState } from '../boot/boardStateFile.js';
import { readSlotAt } from '../boot/readSlot.js';
import { slotContext } from '../boot/slotContext.js';
import { nextUpdateState, type UpdateEvent, type UpdateState } from './updateTable.js';

export interface InstalledUpdate {
  readonly slot: SlotName;
  readonly image: string;
  readonly version: number;
  /** Every state the agent passed through, from idle. */
  readonly states: readonly UpdateState[];
}

/** A slot file's name: the slot is flat, and nothing may reach outside it. */
const fileName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Installs a new slot into the board directory's inactive slot, as the update agent does once
 * the files are downloaded: stage them beside the inactive slot (each flushed), verify the
 * staging exactly as a boot would verify a slot, swap it in for the inactive slot, then make it
 * the active slot on trial in state.json (written atomically, last). The next boot counts its
 * trial; the slot table confirms it when its unikernel starts and rolls back to the slot that
 * ran before when its boots are used up. Anything refused leaves the board as it was.
 */
export async function installUpdate(dir: string, files: ReadonlyMap<string, Uint8Array>, clock: Date = new Date()): Promise<InstalledUpdate> {
  const states: UpdateState[] = ['idle'];
  const step = (event: UpdateEvent): void => {
    const next = nextUpdateState(states.at(-1) ?? 'idle', event);
    if (next === undefined) throw new Error(`update agent: no row for ${event} in state ${states.at(-1)}`);
    states.push(next);
  };
  const state = readBoardState(dir);
  if (!state.confirmed) {
    throw new InputError('update.on-trial', `slot ${state.active} is on trial: installing into slot ${otherSlot(state.active)} would overwrite what the board falls back to`, {
      hint: 'let the trial end (confirmed or rolled back) first',
      data: { active: state.active },
    });
  }
  for (const name of files.keys()) {
    if (!fileName.test(name)) throw new InputError('update.bad-file-name', `an update may not hold a file named ${JSON.stringify(name)}`, { data: { name } });
  }
  const identity = JSON.parse(await readFile(join(dir, boardFiles.board), 'utf8')) as BoardIdentity;
  const inactive = otherSlot(state.active);
  const staging = join(dir, `${inactive}.staging`);

  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  for (const [name, bytes] of files) await writeFile(join(staging, name), bytes, { flush: true });
  step('staged');

  const reading = readSlotAt(staging, inactive, slotContext(dir, identity.board, state, clock));
  if (!reading.ok) {
    step('verify-failed');
    await rm(staging, { recursive: true, force: true });
    throw new InputError('update.refused', `the update does not verify: ${reading.reason}`, { data: { code: reading.code, reason: reading.reason, states } });
  }
  step('verified');

  await rm(join(dir, inactive), { recursive: true, force: true });
  await rename(staging, join(dir, inactive));
  await writeBoardState(dir, { ...state, active: inactive, confirmed: false, bootCount: 0 });
  step('switched');
  return { slot: inactive, image: reading.slot.manifest.signed.image, version: reading.slot.version, states };
}
