import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { PathSegment } from '../model/formatPath.js';
import type { SourceFile } from './SourceFile.js';

/** Where a node sits: the key's start for `at: 'key'`, else the value's start. */
export function locate(
  source: SourceFile,
  path: readonly PathSegment[],
  at: 'key' | 'value' = 'value',
): { line: number; column: number } {
  let node: Node | null | undefined = source.document.contents;
  let keyNode: Node | undefined;
  // Walk as deep as the path exists; a missing tail points at its nearest existing parent.
  for (const segment of path) {
    if (isMap(node)) {
      const pair: Pair | undefined = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      keyNode = isScalar(pair.key) ? pair.key : undefined;
      // `key:` with nothing after it: point at the key, not at the end of its line.
      const value = pair.value as Node | null;
      node = value === null || (isScalar(value) && value.range !== undefined && value.range !== null && value.range[0] === value.range[1]) ? keyNode : value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (item === undefined) break;
      keyNode = undefined;
      node = item;
    } else {
      break;
    }
  }
  const target = at === 'key' && keyNode !== undefined ? keyNode : node;
  const offset = target?.range?.[0] ?? 0;
  const pos = source.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}
