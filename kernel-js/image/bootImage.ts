import { readFile, stat, writeFile } from 'node:fs/promises';
import { bootBoard, type BootedBoard, type BootOptions } from '../boot/bootBoard.js';
import { unpackDiskImage } from './unpackDiskImage.js';

/** Where `osmose boot IMAGE` unpacks an image when not told: beside it, `IMAGE.board/`. */
export const defaultWorkDir = (image: string): string => `${image}.board`;

/**
 * Boots a board straight from its disk image file: the image is unpacked into a board
 * directory (`work`), which then holds the board's state across boots, as the image's state
 * partition would; it is unpacked again only when the image file changed since.
 */
export async function bootImage(image: string, work: string, options: BootOptions = {}): Promise<BootedBoard> {
  await unpackImageOnce(image, work);
  return bootBoard(work, options);
}

/** Unpacks `image` into `work` unless it holds that image already (same size and time). */
export async function unpackImageOnce(image: string, work: string): Promise<void> {
  const info = await stat(image);
  const stamp = `${info.size} ${info.mtimeMs}\n`;
  const marker = `${work}/.unpacked-from`;
  if ((await readFile(marker, 'utf8').catch(() => undefined)) !== stamp) {
    await unpackDiskImage(image, work);
    await writeFile(marker, stamp);
  }
}
