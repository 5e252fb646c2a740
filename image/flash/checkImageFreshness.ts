import { findPartitions } from '../../kernel-js/image/unpackDiskImage.js';
import { InputError } from '../../lib/OsmoseError.js';
import { runTool } from '../../lib/runTool.js';

/**
 * The installer's half of freeze protection: a board boots the slot it was flashed with
 * whatever its clock says (so that no card is ever bricked by time), so the installer refuses
 * to flash a board image whose update metadata (slot A's timestamp.json) has already expired:
 * it would put an old, possibly superseded image on a board. Read without mounting (debugfs).
 * Answers when the metadata expires; undefined for an image that is not a board disk image
 * (no osmose partitions), whose signed block map is then all there is to judge it by.
 */
export async function checkImageFreshness(image: string, now: Date = new Date()): Promise<Date | undefined> {
  const partitions = await findPartitions(image).catch(() => undefined);
  if (partitions === undefined) return undefined;
  const { a } = partitions;
  let text: string;
  try {
    text = await runTool('debugfs', ['-R', 'cat /timestamp.json', `${image}?offset=${a.offset}`]);
  } catch (cause) {
    throw new InputError('flash.no-metadata', `${image}'s slot A holds no readable timestamp.json`, { hint: 'make the image again with osmose image BOARD', data: { image }, cause });
  }
  let expires: Date;
  try {
    expires = new Date((JSON.parse(text) as { signed: { expires: string } }).signed.expires);
    if (Number.isNaN(expires.getTime())) throw new Error('no date');
  } catch (cause) {
    throw new InputError('flash.no-metadata', `${image}'s slot A holds a timestamp.json with no expiry`, { hint: 'make the image again with osmose image BOARD', data: { image }, cause });
  }
  if (expires.getTime() <= now.getTime()) {
    throw new InputError('flash.image-expired', `${image}'s update metadata expired on ${expires.toISOString()}: the image may be superseded`, {
      hint: 'build again (osmose build re-signs the metadata) and make a new image (osmose image BOARD); --allow-expired flashes it anyway',
      data: { image, expires: expires.toISOString() },
    });
  }
  return expires;
}
