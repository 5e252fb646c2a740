import { abiCodes } from './abiCodes.js';
import type { KernelDisplay, KernelRect } from './KernelDevices.js';

const { status } = abiCodes;

export interface DisplayHost {
  /** The display a handle names, undefined when the handle names none. */
  display(handle: number): KernelDisplay | undefined;
  /** A copy of ptr..ptr+len of the module's memory, undefined when out of it. */
  bytes(ptr: number, len: number): Uint8Array | undefined;
}

/**
 * The `display` host module: each call checks its handle and that its rectangle lies inside
 * the panel, then draws. `display.text` answers Unsupported: the shim carries no font yet
 * (an app draws text as pixels and blits them).
 */
export function displayFunctions(host: DisplayHost): Record<string, (...args: number[]) => number> {
  const draw = (handle: number, rect: KernelRect, run: (display: KernelDisplay) => number): number => {
    const display = host.display(handle);
    if (display === undefined) return status.BadHandle;
    const inside = [rect.x, rect.y, rect.width, rect.height].every(Number.isInteger) && rect.x >= 0 && rect.y >= 0 && rect.width > 0 && rect.height > 0 && rect.x + rect.width <= display.width && rect.y + rect.height <= display.height;
    return inside ? run(display) : status.BadArgument;
  };
  const size = (handle: number, side: 'width' | 'height'): number => host.display(handle)?.[side] ?? status.BadHandle;
  return {
    'display.width': (handle = 0) => size(handle, 'width'),
    'display.height': (handle = 0) => size(handle, 'height'),
    'display.clear': (handle = 0, color = 0) => {
      const display = host.display(handle);
      if (display === undefined) return status.BadHandle;
      display.fill({ x: 0, y: 0, width: display.width, height: display.height }, color & 0xffffff);
      return status.Ok;
    },
    'display.fill': (handle = 0, x = 0, y = 0, width = 0, height = 0, color = 0) =>
      draw(handle, { x, y, width, height }, (display) => {
        display.fill({ x, y, width, height }, color & 0xffffff);
        return status.Ok;
      }),
    'display.blit': (handle = 0, x = 0, y = 0, width = 0, height = 0, ptr = 0, len = 0) =>
      draw(handle, { x, y, width, height }, (display) => {
        if (len !== width * height * 3) return status.BadArgument;
        const pixels = host.bytes(ptr, len);
        if (pixels === undefined) return status.BadArgument;
        display.blit({ x, y, width, height }, pixels);
        return status.Ok;
      }),
    'display.text': (handle = 0) => (host.display(handle) === undefined ? status.BadHandle : status.Unsupported),
    'display.flush': (handle = 0) => {
      const display = host.display(handle);
      if (display === undefined) return status.BadHandle;
      display.flush();
      return status.Ok;
    },
  };
}
