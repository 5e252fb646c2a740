import { join } from 'node:path';

/**
 * The layout of a board directory, what `osmose boot BOARD_DIR` reads (kernel-js/README.md):
 *
 *     board.json            { format: 1, board, type }: which board this is
 *     trust/root.json       TUF root metadata: the keys and thresholds the board trusts at first
 *     a/ b/                 the two slots, each: manifest.json, config.json, <sha256>.wasm per
 *                           module, <sha256>.wav per audio clip its apps ship, and the build's
 *                           TUF metadata: timestamp.json, snapshot.json, targets.json and
 *                           <version>.root.json for every root version
 *     state.json            active slot, trial state, boot counter, version floor, what the
 *                           board trusts, health
 *     identity.pem          the board's identity key (Ed25519, PKCS#8), made with its first image
 *     identity.crt          its certificate from the building CA, for mutual TLS with the gateway
 *     building-ca.crt       the building CA: the only issuer the board accepts a gateway from
 *     gateway.json          { host, port }: where the building's gateway listens (optional)
 */
export const slotNames = ['a', 'b'] as const;
export type SlotName = (typeof slotNames)[number];

export function otherSlot(slot: SlotName): SlotName {
  return slot === 'a' ? 'b' : 'a';
}

export const boardFiles = {
  board: 'board.json',
  trustRoot: join('trust', 'root.json'),
  state: 'state.json',
  manifest: 'manifest.json',
  config: 'config.json',
  timestamp: 'timestamp.json',
  snapshot: 'snapshot.json',
  targets: 'targets.json',
  root: (version: number): string => `${version}.root.json`,
  module: (sha256: string): string => `${sha256}.wasm`,
  clip: (sha256: string): string => `${sha256}.wav`,
  identityKey: 'identity.pem',
  identityCert: 'identity.crt',
  buildingCa: 'building-ca.crt',
  gateway: 'gateway.json',
} as const;

export interface BoardIdentity {
  readonly format: 1;
  readonly board: string;
  readonly type: string;
}
