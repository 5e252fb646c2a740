/**
 * The rollout journal's ref in the building repository, beside the build ledger
 * (refs/osmose/builds): `git log refs/osmose/rollouts` is the history of every rollout.
 */
export const rolloutRef = 'refs/osmose/rollouts';
