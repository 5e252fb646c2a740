import { readFile, stat } from 'node:fs/promises';
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLError,
} from 'yaml';
import { formatPath, type PathSegment, type ValidationIssue } from './ValidationIssue.js';

/** Larger files are refused before they are read: a building description is never this big. */
export const maxSourceBytes = 10 * 1024 * 1024;

/** How many nodes aliases may expand to in all: more is a "billion laughs" file, not a building. */
const maxAliasCount = 1000;

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
  const fail = (code: string, message: string, hint: string, at?: { line: number; column: number }): ReadResult =>
    refuse(name, code, message, hint, at);

  const unreadable = (error: unknown): ReadResult =>
    fail('file.unreadable', `${name} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      'check that the file exists and that you may read it');

  let size: number;
  try {
    const info = await stat(absolutePath);
    if (!info.isFile()) return fail('file.not-a-file', `${name} is not a regular file`, `replace it with a YAML file`);
    size = info.size;
  } catch (error) {
    // ENOTDIR: a folder on the way is a file (`policies: building.yaml/p.yaml`); just as missing.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return fail('file.missing', `${name} does not exist`, `create it, or fix the name that points to it`);
    }
    return unreadable(error);
  }
  if (size > maxSourceBytes) {
    return fail(
      'file.too-large',
      `${name} is ${(size / 1024 / 1024).toFixed(1)} MB; osmose reads files up to 10 MB`,
      'split the description: put the policies in their own file, and check the file is what you meant to write',
    );
  }

  let bytes: Uint8Array;
  try {
    bytes = await readFile(absolutePath);
  } catch (error) {
    return unreadable(error);
  }
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
  return parseSourceText(text, name);
}

/**
 * Parses YAML text read from the file `name` (relative to the building's root): everything
 * readSourceFile checks once the bytes are text.
 */
export function parseSourceText(input: string, name: string): ReadResult {
  const fail = (code: string, message: string, hint: string): ReadResult => refuse(name, code, message, hint);
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const empty = (): ReadResult =>
    fail('file.empty', `${name} is empty`, name === 'building.yaml'
      ? 'describe the building, or start from a template with `osmose init DIR --template coworking`'
      : 'write the content it should hold, or remove the reference to it');
  // Line by line, not one regular expression: a pattern such as /^(\s*#.*\n?)*\s*$/ backtracks
  // exponentially on a file that opens with a few dozen comment lines.
  if (text.split('\n').every((line) => line.trim() === '' || line.trimStart().startsWith('#'))) return empty();

  const lines = new LineCounter();
  // logLevel 'error': yaml would otherwise print its warnings (such as a list used as a key)
  // on the process's stderr; whatever matters is reported as an issue instead.
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true, logLevel: 'error' });
  if (document.errors.length > 0) return { ok: false, issues: syntaxIssues(document, lines, name) };
  // Only markers and comments (`---`, `...`): there is no content.
  const contents = document.contents;
  if (contents === null || (isScalar(contents) && contents.value === null && contents.range[0] === contents.range[1])) return empty();

  const aliasIssues = checkAliases(document, lines, name, text);
  if (aliasIssues.length > 0) return { ok: false, issues: aliasIssues };
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount });
  } catch (error) {
    // After checkAliases, toJS throws only when aliases of aliases expand past the limit.
    if (!(error instanceof ReferenceError)) throw error;
    return fail('yaml.too-many-aliases', `${name} expands its aliases (*name) into too many nodes`,
      'write the repeated parts out, or use fewer aliases of aliases');
  }
  return { ok: true, source: { name, text, document, lines, data } };
}

function refuse(name: string, code: string, message: string, hint: string, at?: { line: number; column: number }): ReadResult {
  return { ok: false, issues: [{ code, file: name, path: '', message, hint, ...(at ?? {}) }] };
}

/** Every syntax error, each once, in reading order, pointing where the problem starts. */
function syntaxIssues(document: Document.Parsed, lines: LineCounter, name: string): ValidationIssue[] {
  const openings = unclosedOpenings(document);
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const error of document.errors) {
    const offset = errorOffset(openings, error);
    const pos = lines.linePos(offset);
    const message = yamlMessage(error, document, offset);
    const key = `${pos.line}:${pos.col}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const path = error.code === 'DUPLICATE_KEY' ? pathAtOffset(document, offset) : [];
    issues.push({
      code: yamlCode(error.code),
      file: name,
      line: pos.line,
      column: pos.col,
      path: formatPath(path),
      message,
      hint: yamlHint(error, name),
    });
  }
  return issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

type Opening = 'quote' | 'sequence' | 'map';

/**
 * Where each quoted scalar and flow collection starts, by the offset where it ends. One pass
 * over the tree, so a file with thousands of errors costs no more than one with a few.
 */
function unclosedOpenings(document: Document.Parsed): Map<string, number> {
  const openings = new Map<string, number>();
  const remember = (kind: Opening, range: readonly number[] | null | undefined): void => {
    const [start, end] = [range?.[0], range?.[1]];
    // Brackets pair from the inside out, so the unclosed one is the outermost that ends
    // there: the first one visited.
    if (start !== undefined && end !== undefined && !openings.has(`${kind}:${end}`)) openings.set(`${kind}:${end}`, start);
  };
  visit(document, {
    Scalar(_key, node) {
      if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') remember('quote', node.range);
    },
    Seq(_key, node) {
      if (node.flow === true) remember('sequence', node.range);
    },
    Map(_key, node) {
      if (node.flow === true) remember('map', node.range);
    },
  });
  return openings;
}

/**
 * yaml reports an unclosed quote or bracket where the file (or the collection) ends; point at
 * the quote or bracket that opened it, which is where the fix goes.
 */
function errorOffset(openings: ReadonlyMap<string, number>, error: YAMLError): number {
  const offset = error.pos[0];
  const kind: Opening | undefined =
    error.code === 'MISSING_CHAR' && /quote/i.test(error.message)
      ? 'quote'
      : error.code === 'BAD_INDENT'
        ? (/^Flow (sequence|map)\b.*end with/.exec(error.message)?.[1] as Opening | undefined)
        : undefined;
  if (kind === undefined) return offset;
  return openings.get(`${kind}:${offset}`) ?? openings.get(`${kind}:${offset - 1}`) ?? openings.get(`${kind}:${offset + 1}`) ?? offset;
}

/** The path of the key (or value) that starts at `offset`, as deep as it can be followed. */
function pathAtOffset(document: Document.Parsed, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node: unknown = document.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((item) => contains(item.key, offset) || contains(item.value, offset));
      if (pair === undefined || !isScalar(pair.key)) return path;
      path.push(String(pair.key.value));
      if (contains(pair.key, offset)) return path;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(item, offset));
      if (index < 0) return path;
      path.push(index);
      node = node.items[index];
    } else {
      return path;
    }
  }
}

function contains(node: unknown, offset: number): boolean {
  const range = (node as Node | null | undefined)?.range;
  return range !== undefined && range !== null && range[0] <= offset && offset < Math.max(range[1], range[0] + 1);
}

/**
 * Aliases (`*name`) that point nowhere or into the node that holds them cannot become data:
 * the first would throw, the second would make a tree that never ends.
 */
function checkAliases(document: Document.Parsed, lines: LineCounter, name: string, text: string): ValidationIssue[] {
  if (!text.includes('*')) return [];
  const issues: ValidationIssue[] = [];
  visit(document, {
    Alias(_key, alias, ancestors) {
      const target = alias.resolve(document);
      const problem =
        target === undefined
          ? { code: 'yaml.unknown-alias', message: `the alias *${alias.source} names no anchor &${alias.source} before it`, hint: `define &${alias.source} on the node to repeat, above this line, or write the value out` }
          : ancestors.includes(target)
            ? { code: 'yaml.circular-alias', message: `the alias *${alias.source} repeats a node that contains it, which would never end`, hint: `point *${alias.source} at a node outside this one, or write the value out` }
            : undefined;
      if (problem === undefined) return;
      const pos = lines.linePos(alias.range?.[0] ?? 0);
      issues.push({ ...problem, file: name, line: pos.line, column: pos.col, path: formatPath(pathAtOffset(document, alias.range?.[0] ?? 0)) });
    },
  });
  return issues;
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

function yamlCode(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'yaml.duplicate-key';
    case 'RESOURCE_EXHAUSTION':
      return 'yaml.too-deep';
    default:
      return 'yaml.syntax';
  }
}

function yamlMessage(error: YAMLError, document: Document.Parsed, offset: number): string {
  const first = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
  if (error.code === 'DUPLICATE_KEY') {
    const path = pathAtOffset(document, offset);
    const key = path.at(-1);
    const parent = path.slice(0, -1);
    if (key === undefined) return 'a key appears twice in the same mapping';
    return `key "${String(key)}" appears twice in ${parent.length === 0 ? 'the top level' : formatPath(parent)}`;
  }
  if (error.code === 'MULTIPLE_DOCS') return 'the file holds more than one YAML document';
  if (error.code === 'RESOURCE_EXHAUSTION') return 'the file nests lists and mappings deeper than osmose can read';
  return `YAML does not parse: ${first}`;
}

function yamlHint(error: YAMLError, name: string): string {
  if (error.code === 'MISSING_CHAR' && /quote/i.test(error.message)) return 'close the quote that opens here, on the same value';
  const bracket = /^Flow (?:sequence|map)\b.*end with a ([\]}])/.exec(error.message)?.[1];
  if (error.code === 'BAD_INDENT' && bracket !== undefined) return `close the bracket that opens here with ${bracket}, or indent the lines inside it further`;
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return 'keep one of the two entries (a later one would silently win in other tools)';
    case 'RESOURCE_EXHAUSTION':
      return 'a building needs a few dozen levels at most; check that every bracket is closed';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation and the brackets or quotes on this line and the one before';
    case 'MULTIPLE_DOCS':
      return `remove the \`---\` separator: ${name} holds one document`;
    default:
      return 'fix the YAML syntax at this position';
  }
}
