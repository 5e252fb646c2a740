import { sign } from 'node:crypto';
import { canonicalize } from '@tufjs/canonical-json';
import type { TimeVouch } from '../../kernel-js/boot/recordVouchedTime.js';
import { InputError } from '../../lib/OsmoseError.js';
import { buildingRootChain } from './buildingRootChain.js';
import { loadSigners } from './loadSigners.js';
import { tufTime } from './trustLayout.js';

/**
 * A time vouched for `board` (kernel-js's recordVouchedTime checks it): `time` signed with the
 * building's timestamp keys, the online keys that already vouch for freshness. Made by whoever
 * holds those keys and talks to the board: the gateway, or the installer's machine.
 */
export async function signTimeVouch(root: string, board: string, time: Date = new Date()): Promise<TimeVouch> {
  const current = (await buildingRootChain(root))?.at(-1)?.metadata;
  if (current === undefined) throw new InputError('keys.no-root-metadata', 'the building has no TUF root metadata (keys/1.root.json)', { data: { root } });
  const role = current.signed.roles['timestamp'];
  const { signers } = await loadSigners(root, 'timestamp', role?.keyIDs ?? []);
  if (signers.length < (role?.threshold ?? 1)) {
    throw new InputError('keys.below-threshold', `only ${signers.length} of the ${role?.threshold ?? 1} timestamp keys are here to vouch for the time`, { hint: "run where the building's .osmose/keys/ are", data: { board } });
  }
  const signed = { _type: 'time', board, time: tufTime(time) } as const;
  const message = Buffer.from(canonicalize(signed));
  return { signed, signatures: signers.map(({ keyid, key }) => ({ keyid, sig: sign(null, message, key).toString('hex') })) };
}
