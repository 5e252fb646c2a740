import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectIssue } from '../../test/fixtures/expectIssue.js';
import { removeTempBuildings, tempBuilding, yaml } from '../../test/fixtures/tempBuilding.js';
import { locate } from './locate.js';
import { maxSourceBytes, parseSourceText, readSourceFile, type ReadResult, type SourceFile } from './SourceFile.js';
import type { ValidationIssue } from './ValidationIssue.js';

afterEach(removeTempBuildings);

function issuesOf(result: ReadResult): readonly ValidationIssue[] {
  if (result.ok) throw new Error(`expected issues, the file parsed: ${JSON.stringify(result.source.data)}`);
  return result.issues;
}

function sourceOf(result: ReadResult): SourceFile {
  if (!result.ok) throw new Error(`expected the file to parse:\n${result.issues.map((i) => `${i.line}:${i.column} ${i.code}`).join('\n')}`);
  return result.source;
}

async function readBytes(bytes: Uint8Array | string): Promise<ReadResult> {
  const root = await tempBuilding({ 'building.yaml': bytes });
  return readSourceFile(join(root, 'building.yaml'), 'building.yaml');
}

describe('readSourceFile', () => {
  it('refuses a file that does not exist, as a whole', async () => {
    const root = await tempBuilding({});
    const issues = issuesOf(await readSourceFile(join(root, 'building.yaml'), 'building.yaml'));
    expect(issues).toHaveLength(1);
    expectIssue(issues, { code: 'file.missing', path: '' });
  });

  it('treats a path through a file (ENOTDIR) as missing instead of crashing', async () => {
    const root = await tempBuilding({ 'building.yaml': 'osmose: 1\n' });
    const issues = issuesOf(await readSourceFile(join(root, 'building.yaml', 'policies.yaml'), 'building.yaml/policies.yaml'));
    expectIssue(issues, { code: 'file.missing', file: 'building.yaml/policies.yaml', path: '' });
  });

  it('refuses a folder where the file should be', async () => {
    const root = await tempBuilding({ 'building.yaml/': '' });
    expectIssue(issuesOf(await readSourceFile(join(root, 'building.yaml'), 'building.yaml')), { code: 'file.not-a-file', path: '' });
  });

  it('refuses a file over 10 MB without reading it', async () => {
    const root = await tempBuilding({ 'building.yaml': '' });
    // A sparse file: its size is over the limit, yet nothing is written to disk.
    await truncate(join(root, 'building.yaml'), maxSourceBytes + 1);
    expectIssue(issuesOf(await readSourceFile(join(root, 'building.yaml'), 'building.yaml')), { code: 'file.too-large', path: '' });
  });

  it('reads a file of exactly 10 MB', async () => {
    const root = await tempBuilding({});
    const head = 'osmose: 1\n';
    await writeFile(join(root, 'building.yaml'), head + '#'.repeat(maxSourceBytes - head.length - 1) + '\n');
    const source = sourceOf(await readSourceFile(join(root, 'building.yaml'), 'building.yaml'));
    expect(source.data).toEqual({ osmose: 1 });
  });

  describe('bytes that are not UTF-8: points at the first bad byte', () => {
    const cases: [string, number[], number, number][] = [
      // 'name: "café ' is 12 characters on line 2, so the bad byte is in column 13.
      ['a stray 0xff after multi-byte text', [...bytes('osmose: 1\nname: "caf\u00e9 '), 0xff, ...bytes('"\n')], 2, 13],
      ['a sequence cut short at the end of the file', [...bytes('a: 1\nb: '), 0xe2, 0x82], 2, 4],
      ['an overlong encoding of "/"', [...bytes('a: '), 0xc0, 0xaf, ...bytes('\n')], 1, 4],
      ['an encoded UTF-16 surrogate', [...bytes('a: b\n\n  c: '), 0xed, 0xa0, 0x80], 3, 6],
      ['a UTF-16 file (its byte order mark)', [0xff, 0xfe, ...bytes('o\0s\0')], 1, 1],
      ['Latin-1 text', [...bytes('name: Caf'), 0xe9, ...bytes('\n')], 1, 10],
    ];
    it.each(cases)('%s', async (_name, content, line, column) => {
      const issues = issuesOf(await readBytes(Uint8Array.from(content)));
      expect(issues).toHaveLength(1);
      expectIssue(issues, { code: 'file.not-utf8', line, column, path: '' });
    });
  });

  it('skips a UTF-8 byte order mark and keeps positions right', async () => {
    const root = await tempBuilding({ 'building.yaml': Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes('osmose: 1\nbuilding: x\n')]) });
    const source = sourceOf(await readSourceFile(join(root, 'building.yaml'), 'building.yaml'));
    expect(source.data).toEqual({ osmose: 1, building: 'x' });
    expect(locate(source, ['osmose'], 'key')).toEqual({ line: 1, column: 1 });
    expect(locate(source, ['building'])).toEqual({ line: 2, column: 11 });
  });

  it('names the file it was given in every issue', async () => {
    const root = await tempBuilding({ 'policies.yaml': 'rules: [\n' });
    const issues = issuesOf(await readSourceFile(join(root, 'policies.yaml'), 'policies.yaml'));
    expect(issues.map((issue) => issue.file)).toEqual(issues.map(() => 'policies.yaml'));
  });
});

describe('parseSourceText', () => {
  describe('a file with nothing in it is empty', () => {
    const cases: [string, string][] = [
      ['no bytes at all', ''],
      ['only blank lines, spaces and tabs', '  \n\n\t\n   '],
      ['only comments', '# a building will be described here\n   # indented comment\n'],
      ['only a document marker', '---\n'],
      ['comments and markers', '# head\n---\n# body\n...\n'],
      ['Windows line ends', '# one\r\n\r\n# two\r\n'],
    ];
    it.each(cases)('%s', (_name, text) => {
      const issues = issuesOf(parseSourceText(text, 'building.yaml'));
      expect(issues).toHaveLength(1);
      expectIssue(issues, { code: 'file.empty', path: '' });
    });
  });

  it('reads a file that opens with many comment lines (no exponential backtracking)', () => {
    const header = Array.from({ length: 40 }, (_, i) => `# line ${i} of the header\n`).join('');
    expect(sourceOf(parseSourceText(`${header}osmose: 1\n`, 'building.yaml')).data).toEqual({ osmose: 1 });
  });

  it('reports every syntax error in one file, in reading order', () => {
    const text = yaml`
      osmose: 1
      building:
        id: a
        name: b: c
      spaces:
        - id: f1
          kind: floor
          kind: room
        - id: f2
          kind: x: y
      apps: [a, b
    `;
    const issues = issuesOf(parseSourceText(text, 'building.yaml'));
    expect(issues.map((issue) => [issue.line, issue.column, issue.code])).toEqual([
      [4, 9, 'yaml.syntax'],
      [8, 5, 'yaml.duplicate-key'],
      [10, 11, 'yaml.syntax'],
      [11, 7, 'yaml.syntax'], // the [ that is never closed, not the end of the file
    ]);
    for (const issue of issues) expect(issue.hint).toMatch(/\S/);
    expectIssue(issues, { code: 'yaml.duplicate-key', line: 8, column: 5, path: 'spaces[0].kind' });
  });

  it('reports each duplicate key with the path of the mapping that holds it', () => {
    const text = yaml`
      osmose: 1
      osmose: 1
      building: { id: a, name: b, id: c }
      spaces:
        - id: r
          kind: room
          boards:
            - id: b
              board: sim
              devices:
                lamp: { driver: gpio-out, pin: GPIO4 }
                lamp: { driver: gpio-out, pin: GPIO5 }
    `;
    const issues = issuesOf(parseSourceText(text, 'building.yaml'));
    expect(issues).toHaveLength(3);
    expectIssue(issues, { code: 'yaml.duplicate-key', line: 2, column: 1, path: 'osmose' });
    expectIssue(issues, { code: 'yaml.duplicate-key', line: 3, column: 29, path: 'building.id' });
    const lamp = expectIssue(issues, { code: 'yaml.duplicate-key', line: 12, column: 11, path: 'spaces[0].boards[0].devices.lamp' });
    expect(lamp.message).toContain('"lamp"');
  });

  it('points an unclosed quote at the quote, not at the end of the file', () => {
    const text = yaml`
      osmose: 1
      building: { id: wgb, name: "William Gates }
      spaces:
        - id: f1
          kind: floor
    `;
    const issues = issuesOf(parseSourceText(text, 'building.yaml'));
    // The quote runs to the end of the file and takes the } with it, so the { is open too.
    expect(issues.map((issue) => [issue.line, issue.column, issue.code, issue.path])).toEqual([
      [2, 11, 'yaml.syntax', ''],
      [2, 28, 'yaml.syntax', ''],
    ]);
    expect(issues[1]?.hint).toMatch(/quote/);
    expect(issues[0]?.hint).toMatch(/}/);
  });

  it('points an unclosed bracket at the outermost bracket left open', () => {
    const issues = issuesOf(parseSourceText('osmose: 1\nspaces: [[1, 2], [3\napps: []\n', 'building.yaml'));
    expectIssue(issues, { code: 'yaml.syntax', line: 2, column: 9, path: '' });
  });

  it('refuses tabs used as indentation, saying so', () => {
    const issues = issuesOf(parseSourceText('osmose: 1\nbuilding:\n\tid: a\n', 'building.yaml'));
    const tab = issues.find((issue) => issue.line === 3 && issue.column === 1);
    expect(tab?.code).toBe('yaml.syntax');
    expect(tab?.hint).toMatch(/tab/);
  });

  it('refuses a second document', () => {
    const issues = issuesOf(parseSourceText('osmose: 1\n---\nosmose: 2\n', 'building.yaml'));
    expectIssue(issues, { code: 'yaml.syntax', line: 2, column: 1, path: '' });
  });

  it('refuses an alias whose anchor is not defined, instead of crashing', () => {
    const text = yaml`
      osmose: 1
      building: { id: a, name: b }
      spaces: []
      apps: *apps
    `;
    const issues = issuesOf(parseSourceText(text, 'building.yaml'));
    expect(issues).toHaveLength(1);
    expectIssue(issues, { code: 'yaml.unknown-alias', line: 4, column: 7, path: 'apps' });
  });

  it('refuses an alias that repeats a node containing it (a tree without end)', () => {
    const text = yaml`
      osmose: 1
      building: { id: a, name: b }
      spaces: &tree
        - id: a
          kind: room
          spaces: *tree
    `;
    const issues = issuesOf(parseSourceText(text, 'building.yaml'));
    expect(issues).toHaveLength(1);
    expectIssue(issues, { code: 'yaml.circular-alias', line: 6, column: 13, path: 'spaces[0].spaces' });
  });

  it('accepts ordinary anchors and aliases', () => {
    const text = yaml`
      lamp: &lamp { driver: gpio-out, pin: GPIO27 }
      copy: *lamp
    `;
    const data = sourceOf(parseSourceText(text, 'building.yaml')).data as Record<string, unknown>;
    expect(data['copy']).toEqual({ driver: 'gpio-out', pin: 'GPIO27' });
  });

  it('refuses aliases of aliases that expand into a huge tree ("billion laughs")', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [name, previous] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']] as const) {
      lines.push(`${name}: &${name} [${Array.from({ length: 10 }, () => `*${previous}`).join(', ')}]`);
    }
    const issues = issuesOf(parseSourceText(`${lines.join('\n')}\n`, 'building.yaml'));
    expect(issues).toHaveLength(1);
    expectIssue(issues, { code: 'yaml.too-many-aliases', path: '' });
  });

  it('refuses nesting deeper than the parser can follow, instead of crashing', () => {
    const depth = 5000;
    const issues = issuesOf(parseSourceText(`spaces: ${'['.repeat(depth)}${']'.repeat(depth)}\n`, 'building.yaml'));
    const deep = issues.find((issue) => issue.code === 'yaml.too-deep');
    expect(deep?.line).toBe(1);
    expect(deep?.hint).toMatch(/\S/);
  });

  it('parses a list, a scalar or a null document as data (the schema refuses them later)', () => {
    expect(sourceOf(parseSourceText('- a\n- b\n', 'building.yaml')).data).toEqual(['a', 'b']);
    expect(sourceOf(parseSourceText('hello\n', 'building.yaml')).data).toBe('hello');
    expect(sourceOf(parseSourceText('~\n', 'building.yaml')).data).toBeNull();
  });
});

describe('locate', () => {
  const source = sourceOf(
    parseSourceText(
      yaml`
        osmose: 1
        building: { id: a, name: b }
        spaces:
          - id: f1
            kind: floor
            boards:
            spaces:
              - { id: r1, kind: room }
      `,
      'building.yaml',
    ),
  );

  it('finds a value, or its key', () => {
    expect(locate(source, ['building', 'name'])).toEqual({ line: 2, column: 26 });
    expect(locate(source, ['building', 'name'], 'key')).toEqual({ line: 2, column: 20 });
    expect(locate(source, ['spaces', 0, 'spaces', 0, 'kind'])).toEqual({ line: 8, column: 25 });
  });

  it('points a key with no value at the key, not at the end of its line', () => {
    expect(locate(source, ['spaces', 0, 'boards'])).toEqual({ line: 6, column: 5 });
  });

  it('points a path that goes on past the file at the nearest part that exists', () => {
    expect(locate(source, ['spaces', 0, 'boards', 3, 'id'])).toEqual({ line: 6, column: 5 });
    expect(locate(source, ['spaces', 0, 'name'])).toEqual({ line: 4, column: 5 });
    expect(locate(source, ['apps', 0])).toEqual({ line: 1, column: 1 });
  });
});

function bytes(text: string): number[] {
  return [...new TextEncoder().encode(text)];
}
