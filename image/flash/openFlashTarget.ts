import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../../lib/OsmoseError.js';
import type { Destination } from './checkDestination.js';
import { chunkBytes, type ReadAt } from './readChunks.js';

/**
 * Where `osmose flash` writes, as flashImage sees it. A test wraps the real one to play a
 * failing card; the reading back and checking stay flashImage's own.
 */
export interface FlashTarget {
  /** Bytes at the start of the destination worth comparing with the image: a file's length before, a device's size. */
  readonly comparable: number;
  /** Reads what the destination holds now, to skip what is already there. */
  readonly read: ReadAt;
  readonly write: (data: Uint8Array, position: number) => Promise<void>;
  /** Makes every write durable. */
  readonly sync: () => Promise<void>;
  /** Reads for the check after writing: from a device itself, past the page cache, where Linux allows it. */
  readonly readBack: ReadAt;
  readonly close: () => Promise<void>;
}

/**
 * Opens a checked destination. A file is created if need be and given the image's length (the
 * blocks nobody writes stay holes); a block device is opened exclusively unless --force (Linux
 * then refuses it while mounted), with O_DSYNC so each write has reached the device when it
 * returns and the progress shown is the card's, not the page cache's.
 */
export async function openFlashTarget(destination: Destination, imageBytes: number): Promise<FlashTarget> {
  if (destination.kind === 'file') {
    const handle = await openOrRefuse(destination.path, constants.O_RDWR | constants.O_CREAT, 0o644);
    const comparable = (await handle.stat()).size;
    await handle.truncate(imageBytes);
    const read = reader(handle);
    return { comparable, read, write: writer(handle), sync: () => handle.sync(), readBack: read, close: () => handle.close() };
  }
  const handle = await openOrRefuse(destination.path, constants.O_RDWR | constants.O_DSYNC | (destination.exclusive ? constants.O_EXCL : 0));
  const read = reader(handle);
  let direct: Promise<DirectReader | undefined> | undefined;
  return {
    comparable: destination.bytes ?? imageBytes,
    read,
    write: writer(handle),
    sync: () => handle.sync(),
    readBack: async (buffer, position) => {
      direct ??= openDirect(destination.path);
      const reading = await direct;
      return reading === undefined ? read(buffer, position) : reading.read(buffer, position, read);
    },
    close: async () => {
      await (await direct)?.handle.close();
      await handle.close();
    },
  };
}

function reader(handle: FileHandle): ReadAt {
  return async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead;
}

function writer(handle: FileHandle): FlashTarget['write'] {
  return async (data, position) => {
    for (let done = 0; done < data.length; ) {
      const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
      if (bytesWritten === 0) throw new Error(`wrote nothing at byte ${position + done}`);
      done += bytesWritten;
    }
  };
}

async function openOrRefuse(path: string, flags: number, mode?: number): Promise<FileHandle> {
  try {
    return await open(path, flags, mode);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EBUSY') {
      throw new InputError('flash.device-busy', `${path} is busy: Linux refused to open it exclusively (mounted, or held by another program)`, {
        hint: 'unmount it and close what uses it (lsblk and fuser show what), or pass --force',
        data: { to: path },
        cause,
      });
    }
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new InputError('flash.no-permission', `cannot write ${path}: ${code === 'EROFS' ? 'it is read-only (a card\'s lock switch?)' : 'permission denied'}`, {
        hint: code === 'EROFS' ? 'slide the card\'s lock switch to unlocked, or pick another destination' : 'run osmose flash as a user who may write it (the disk group, or sudo)',
        data: { to: path, code },
        cause,
      });
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new InputError('flash.no-such-folder', `cannot create ${path}: its folder does not exist`, { hint: 'create the folder first, or give another path', data: { to: path }, cause });
    }
    throw cause;
  }
}

interface DirectReader {
  readonly handle: FileHandle;
  readonly read: (buffer: Uint8Array, position: number, fallback: ReadAt) => Promise<number>;
}

/**
 * A reader with O_DIRECT, so what is checked comes from the device and not from the page
 * cache that the write just filled: a card that drops or misplaces writes (one claiming more
 * than it holds) is caught only that way. O_DIRECT wants the memory aligned to the device's
 * logical block, and JavaScript cannot see an address, so the offset into a larger buffer is
 * found by trying. Undefined when the device takes no O_DIRECT; a read it refuses falls back
 * to the page cache.
 */
async function openDirect(path: string): Promise<DirectReader | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_DIRECT);
  } catch {
    return undefined;
  }
  const align = 4096;
  const memory = Buffer.allocUnsafeSlow(chunkBytes + 2 * align);
  let offset = -1;
  for (let at = 0; at < align && offset < 0; at += 16) {
    try {
      await handle.read(memory, at, align, 0);
      offset = at;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') break;
    }
  }
  if (offset < 0) {
    await handle.close();
    return undefined;
  }
  // One buffer, so one read at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const readAligned = async (buffer: Uint8Array, position: number, fallback: ReadAt): Promise<number> => {
    const length = Math.min(buffer.length, chunkBytes);
    if (position % align !== 0) return fallback(buffer.subarray(0, length), position);
    try {
      const { bytesRead } = await handle.read(memory, offset, Math.ceil(length / align) * align, position);
      const n = Math.min(bytesRead, length);
      memory.copy(buffer, 0, offset, offset + n);
      return n;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      return fallback(buffer.subarray(0, length), position);
    }
  };
  return {
    handle,
    read: (buffer, position, fallback) => {
      const next = queue.then(() => readAligned(buffer, position, fallback));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
