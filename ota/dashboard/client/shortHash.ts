/**
 * The first `length` hex digits of a digest or commit id: enough to tell builds and images
 * apart on screen (as `osmose status` prints them), short enough for a tile. A `sha256:`-style
 * prefix is dropped first.
 */
export function shortHash(id: string, length = 12): string {
  return id.replace(/^[a-z0-9-]+:/i, '').slice(0, length);
}
