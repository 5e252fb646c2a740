import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metadata, MetadataKind, type Root } from '@tufjs/models';
import { InputError } from '../../lib/OsmoseError.js';
import { parseMetadata } from '../trust/parseMetadata.js';
import { boardFiles } from './boardDirectory.js';
import type { BoardState } from './BoardState.js';
import type { SlotContext } from './readSlot.js';
import { trustedTime } from './trustedTime.js';

/**
 * What a slot of the board directory `dir` is verified against: the root the board trusts (the
 * newer of trust/root.json, the root it was flashed with, and the root state.json recorded when
 * it last confirmed a slot), the metadata versions it accepted, its version floor and its
 * trusted time. Refuses a directory without a readable trust root: no slot could verify.
 */
export function slotContext(dir: string, board: string, state: BoardState, clock: Date): SlotContext {
  const file = join(dir, boardFiles.trustRoot);
  let anchor: Metadata<Root>;
  try {
    anchor = parseMetadata('root', readFileSync(file));
  } catch (cause) {
    throw new InputError('boot.no-trust-root', `the board directory has no readable trust root (${file}: TUF root metadata)`, {
      hint: 'give osmose boot a board directory (kernel-js/README.md describes its layout); image/ writes one from a build',
      data: { dir, file },
      cause,
    });
  }
  const recorded = recordedRoot(state);
  const root = recorded !== undefined && recorded.signed.version > anchor.signed.version ? recorded : anchor;
  const trust = state.trust;
  return {
    board,
    root,
    accepted: trust === undefined ? null : { root: recorded?.signed.version ?? 0, timestamp: trust.timestamp, snapshot: trust.snapshot, targets: trust.targets },
    versionFloor: state.versionFloor,
    now: trustedTime(state, clock),
    flashed: trust === undefined && state.confirmed ? state.active : null,
  };
}

/** The root state.json recorded, or undefined when there is none or it does not parse. */
function recordedRoot(state: BoardState): Metadata<Root> | undefined {
  if (state.trust === undefined) return undefined;
  try {
    return Metadata.fromJSON(MetadataKind.Root, state.trust.root as Parameters<typeof Metadata.fromJSON>[1]);
  } catch {
    return undefined;
  }
}
