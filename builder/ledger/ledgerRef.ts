/**
 * The ledger lives on its own ref in the building repository, apart from the operator's
 * branches: every build is a commit on it, and `git log refs/osmose/builds` is its history.
 */
export const ledgerRef = 'refs/osmose/builds';
