/**
 * Where things sit in a ledger commit's tree. One build is one commit on the ledger ref:
 *
 *     build.json                  what was built from what: inputs, source commit, toolchain, counts
 *     plan.json                   the build plan
 *     manifests/<board>.json      what the board runs and where it came from
 *     configs/<board>.json        the board's configuration, signed with its image
 *     artifacts/<sha256>.wasm     each distinct module once, however many boards run it
 *     clips/<sha256>.wav          each distinct audio clip an app ships once, however many boards carry it
 *
 * Flat folders rather than one per board: reading or writing a build of a thousand boards
 * then touches a handful of tree objects, not a thousand.
 */
export const ledgerLayout = {
  build: 'build.json',
  plan: 'plan.json',
  manifest: (board: string): string => `manifests/${board}.json`,
  config: (board: string): string => `configs/${board}.json`,
  wasm: (digest: string): string => `artifacts/${digest}.wasm`,
  clip: (digest: string): string => `clips/${digest}.wav`,
} as const;

/** The version of the ledger's layout and of the JSON files in it. */
export const ledgerFormat = 1;
