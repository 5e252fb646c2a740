import { readFile, stat } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { PathSegment, ValidationIssue } from './ValidationIssue.js';

/** Larger files are refused before they are read: a building description is never this big. */
export const maxSourceBytes = 10 * 1024 * 1024;

/** A YAML file read and parsed, keeping what is needed to point at any node in it. */
export interface SourceFile {
  /** Relative to the building's root, as shown in messages. */
  readonly name: string;
  readonly text: string;
  readonly document: Document.Parsed;
  readonly lines: LineCounter;
  /** The plain data: maps, lists and scalars. */
  readonly data: unknown;
}

export type ReadResult = { readonly ok: true; readonly source: SourceFile } | { readonly ok: false; readonly issues: ValidationIssue[] };

/**
 * Reads and parses a YAML file, refusing what cannot be a description: a missing file, one
 * over 10 MB, bytes that are not UTF-8, an empty file, and YAML that does not parse (every
 * syntax error is reported, not just the first).
 */
export async function readSourceFile(absolutePath: string, name: string): Promise<ReadResult> {
  const fail = (code: string, message: string, hint: string, at?: { line: number; column: number }): ReadResult => ({
    ok: false,
    issues: [{ code, file: name, path: '', message, hint, ...(at ?? {}) }],
  });

  let size: number;
  try {
    const info = await stat(absolutePath);
    if (!info.isFile()) return fail('file.not-a-file', `${name} is not a regular file`, `replace it with a YAML file`);
    size = info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return fail('file.missing', `${name} does not exist`, `create it, or fix the name that points to it`);
    }
    throw error;
  }
  if (size > maxSourceBytes) {
    return fail(
      'file.too-large',
      `${name} is ${(size / 1024 / 1024).toFixed(1)} MB; osmose reads files up to 10 MB`,
      'split the description: put the policies in their own file, and check the file is what you meant to write',
    );
  }

  const bytes = await readFile(absolutePath);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return fail(
      'file.not-utf8',
      `${name} is not UTF-8 text: byte ${at.offset} (0x${bytes[at.offset]?.toString(16).padStart(2, '0')}) is not valid UTF-8`,
      'save the file as UTF-8',
      { line: at.line, column: at.column },
    );
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '' || /^(\s*#.*\n?)*\s*$/.test(text)) {
    return fail('file.empty', `${name} is empty`, name === 'building.yaml'
      ? 'describe the building, or start from a template with `osmose init DIR --template coworking`'
      : 'write the content it should hold, or remove the reference to it');
  }

  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      issues: document.errors.map((error) => {
        const pos = lines.linePos(error.pos[0]);
        return {
          code: error.code === 'DUPLICATE_KEY' ? 'yaml.duplicate-key' : 'yaml.syntax',
          file: name,
          line: pos.line,
          column: pos.col,
          path: '',
          message: yamlMessage(error.code, error.message),
          hint: yamlHint(error.code),
        };
      }),
    };
  }
  const data: unknown = document.toJS({ maxAliasCount: 1000 });
  return { ok: true, source: { name, text, document, lines, data } };
}

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
      node = (pair.value as Node | null) ?? keyNode;
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

/** The first byte that does not start a well-formed UTF-8 sequence, with its line and column. */
function firstInvalidUtf8(bytes: Uint8Array): { offset: number; line: number; column: number } {
  let i = 0;
  while (i < bytes.length) {
    const length = wellFormedLength(bytes, i);
    if (length === 0) break;
    i += length;
  }
  let line = 1;
  let lineStart = 0;
  for (let j = 0; j < i; j++) {
    if (bytes[j] === 0x0a) {
      line++;
      lineStart = j + 1;
    }
  }
  const column = new TextDecoder().decode(bytes.subarray(lineStart, i)).length + 1;
  return { offset: i, line, column };
}

/** Length of the well-formed sequence at `at` (RFC 3629 table 3-7), or 0 when there is none. */
function wellFormedLength(bytes: Uint8Array, at: number): number {
  const b0 = bytes[at] ?? 0;
  if (b0 < 0x80) return 1;
  const inRange = (k: number, lo: number, hi: number): boolean => {
    const b = bytes[at + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return inRange(1, 0x80, 0xbf) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const [lo, hi] = b0 === 0xe0 ? [0xa0, 0xbf] : b0 === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return inRange(1, lo, hi) && inRange(2, 0x80, 0xbf) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const [lo, hi] = b0 === 0xf0 ? [0x90, 0xbf] : b0 === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return inRange(1, lo, hi) && inRange(2, 0x80, 0xbf) && inRange(3, 0x80, 0xbf) ? 4 : 0;
  }
  return 0;
}

function yamlMessage(code: string, message: string): string {
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'DUPLICATE_KEY') return 'a key appears twice in the same mapping';
  if (code === 'MULTIPLE_DOCS') return 'the file holds more than one YAML document';
  return `YAML does not parse: ${first}`;
}

function yamlHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'keep one of the two entries (a later one would silently win in other tools)';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation and the brackets or quotes on this line and the one before';
    case 'MULTIPLE_DOCS':
      return 'remove the `---` separator: building.yaml holds one document';
    default:
      return 'fix the YAML syntax at this position';
  }
}
