import { writeFile } from 'node:fs/promises';
import type { SigningKey } from '../../builder/build/signManifest.js';
import { blockMapPath, type SignedBlockMap } from './BlockMap.js';
import { makeBlockMap } from './makeBlockMap.js';
import type { Span } from './readChunks.js';

/** Maps and signs `imageFile`'s blocks (makeBlockMap) and writes the map beside it, as IMAGE.bmap.json. */
export async function writeBlockMap(imageFile: string, board: string, signer: SigningKey, options: { readonly keep?: readonly Span[] } = {}): Promise<{ readonly file: string; readonly map: SignedBlockMap }> {
  const map = await makeBlockMap(imageFile, board, signer, options);
  const file = blockMapPath(imageFile);
  await writeFile(file, `${JSON.stringify(map, null, 2)}\n`);
  return { file, map };
}
