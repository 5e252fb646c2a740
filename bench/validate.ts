import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { templateFiles } from '../builder/init/templateFiles.js';
import { validateBuilding } from '../builder/validate/validateBuilding.js';
import { compare, ms } from './measure.js';

/**
 * Validating a 1,000-board building, against the baseline of merely reading and parsing its
 * YAML (what any tool that reads the file pays): the ratio is the cost of the two passes.
 */
export async function benchValidate(): Promise<void> {
  const grid = { floors: 10, rooms: 25, boardsPerRoom: 4 };
  const root = await mkdtemp(join(tmpdir(), 'osmose-bench-'));
  try {
    const files = await templateFiles({ template: 'grid', id: 'bench', name: 'Benchmark grid', grid });
    for (const [path, text] of files) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    const file = join(root, 'building.yaml');
    const size = (await readFile(file)).length;

    const check = await validateBuilding(root);
    if (!check.ok) throw new Error(`the benchmark building does not validate: ${JSON.stringify(check.issues.slice(0, 3))}`);
    const boards = check.building.index.boards.length;

    const { baseline, subject } = await compare(
      async () => parseDocument(await readFile(file, 'utf8')).toJS(),
      () => validateBuilding(root),
    );

    console.log(`validate: a ${boards}-board grid building (${grid.floors}×${grid.rooms}×${grid.boardsPerRoom}, ${(size / 1024).toFixed(0)} KiB of YAML)`);
    console.log(`  baseline  read + YAML parse        ${ms(baseline.median)} median, ${ms(baseline.min)} best of ${baseline.runs}`);
    console.log(`  osmose    validate (both passes)   ${ms(subject.median)} median, ${ms(subject.min)} best of ${subject.runs}`);
    console.log(`  ratio     ${(subject.median / baseline.median).toFixed(2)}× the parse alone (${ms(subject.median / boards)} per board)`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
