/**
 * The ref that records each board's identity: `boards/<board>.json` holds the public half of
 * its identity key (`{ board, keyid, keytype, scheme, keyval: { public } }`, as TUF writes a
 * key) and, once the board is revoked, `revoked: { at, reason }`. A ref of its own, apart from
 * the building's branch and the ledger, so that imaging a board never touches either.
 */
export const identitiesRef = 'refs/osmose/identities';

/** Where a board's record is inside the identities ref's tree. */
export const identityRecordPath = (board: string): string => `boards/${board}.json`;
