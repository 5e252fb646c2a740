import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLedgerTree } from '../../builder/ledger/readLedgerTree.js';
import { runCli } from '../../cli/runCli.js';
import { ledgerBoards, writeBoardDirectory } from '../../image/boardDirectory/writeBoardDirectory.js';

export interface CoworkingBoards {
  /** A temporary folder holding the building, its board directories and whatever else the bench writes. */
  readonly parent: string;
  /** The board directories of every board of the build (`parent/boards/<board>`), by board. */
  readonly boards: ReadonlyMap<string, string>;
  remove(): Promise<void>;
}

/**
 * A real coworking build: `osmose init --template coworking`, `osmose build`, then a board
 * directory per board, as image/ writes them.
 */
export async function coworkingBoards(): Promise<CoworkingBoards> {
  const parent = await mkdtemp(join(tmpdir(), 'osmose-bench-boot-'));
  const remove = (): Promise<void> => rm(parent, { recursive: true, force: true });
  try {
    const root = join(parent, 'coworking');
    const quiet = { cwd: parent, stdout: () => undefined, stderr: (t: string) => process.stderr.write(t), env: { OSMOSE_ROOT_PASSPHRASE: 'bench' }, interactive: false };
    if ((await runCli(['init', root, '--template', 'coworking'], quiet)) !== 0) throw new Error('could not make the benchmark building');
    if ((await runCli(['-C', root, 'build'], quiet)) !== 0) throw new Error('could not build the benchmark building');
    const tree = await readLedgerTree(root);
    if (tree === undefined) throw new Error('the benchmark build left no ledger');
    const boards = new Map<string, string>();
    for (const board of ledgerBoards(tree)) {
      const dir = join(parent, 'boards', board);
      await writeBoardDirectory(root, board, dir, tree);
      boards.set(board, dir);
    }
    return { parent, boards, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
