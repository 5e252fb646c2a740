/**
 * A building id made from the first of `names` that yields one (the folder's name, then the
 * building's): lowercased, accents dropped, every run of characters other than a-z, 0-9 and
 * `-` turned into one `-`, and trimmed of `-`. `building` when none yields anything.
 */
export function buildingIdFrom(...names: readonly string[]): string {
  for (const name of names) {
    const id = name
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^-+|-+$/g, '');
    if (id !== '') return id;
  }
  return 'building';
}
