/**
 * The building's register of people lives on a ref of its own, `refs/osmose/people`, apart
 * from the builds' ledger: erasing a person rewrites this ref's history, and a ref that holds
 * nothing else can be rewritten without touching a single build, rollout or schedule commit.
 * Its tree:
 *
 *     people/<pseudonym>.json    one PersonRecord per person ever admitted (and not erased)
 */
export const peopleRef = 'refs/osmose/people';

/** Where each file sits in the people ref's tree. */
export const peopleLayout = {
  folder: 'people',
  person: (pseudonym: string): string => `people/${pseudonym}.json`,
} as const;

/** A person file's format; raised when a reader of an older one would misread it. */
export const personFileFormat = 1;
