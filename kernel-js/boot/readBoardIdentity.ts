import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../lib/OsmoseError.js';
import { boardFiles, type BoardIdentity } from './boardDirectory.js';

/** board.json of a board directory: which board this is. */
export function readBoardIdentity(dir: string): BoardIdentity {
  const file = join(dir, boardFiles.board);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BoardIdentity;
  } catch (cause) {
    throw new InputError('boot.no-board-file', `the board directory has no readable board.json (${file})`, {
      hint: 'give osmose boot a board directory (kernel-js/README.md describes its layout)',
      data: { dir, file: boardFiles.board },
      cause,
    });
  }
}
