import { isMap, isScalar, isSeq, visit, type Document, type LineCounter, type Node, type YAMLError } from 'yaml';
import { formatPath, type PathSegment } from '../model/formatPath.js';
import type { ValidationIssue } from './ValidationIssue.js';

/** Every syntax error, each once, in reading order, pointing where the problem starts. */
export function syntaxIssues(document: Document.Parsed, lines: LineCounter, name: string): ValidationIssue[] {
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
export function aliasIssues(document: Document.Parsed, lines: LineCounter, name: string, text: string): ValidationIssue[] {
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
