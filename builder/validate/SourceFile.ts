import { readFile, stat } from 'node:fs/promises';
import { isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { firstInvalidUtf8 } from './firstInvalidUtf8.js';
import type { ValidationIssue } from './ValidationIssue.js';
import { aliasIssues, syntaxIssues } from './yamlIssues.js';

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

  const aliases = aliasIssues(document, lines, name, text);
  if (aliases.length > 0) return { ok: false, issues: aliases };
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount });
  } catch (error) {
    // After aliasIssues, toJS throws only when aliases of aliases expand past the limit.
    if (!(error instanceof ReferenceError)) throw error;
    return fail('yaml.too-many-aliases', `${name} expands its aliases (*name) into too many nodes`,
      'write the repeated parts out, or use fewer aliases of aliases');
  }
  return { ok: true, source: { name, text, document, lines, data } };
}

function refuse(name: string, code: string, message: string, hint: string, at?: { line: number; column: number }): ReadResult {
  return { ok: false, issues: [{ code, file: name, path: '', message, hint, ...(at ?? {}) }] };
}
