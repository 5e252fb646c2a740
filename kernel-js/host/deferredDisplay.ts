import type { Display } from '../../drivers/index.js';
import type { KernelDisplay, KernelRect } from './KernelDevices.js';

type Drawing = { readonly op: 'fill'; readonly rect: KernelRect; readonly color: number } | { readonly op: 'blit'; readonly rect: KernelRect; readonly pixels: Uint8Array } | { readonly op: 'flush' };

/**
 * A display whose drawing reaches its driver after the call into the unikernel has returned:
 * drawing is output only, so the unikernel never waits on a large panel (a 2560×1440 e-ink
 * frame is 11 MB to copy), and that time is not charged to the handler's budget. Calls are
 * applied in order; a failing one is reported and the rest still drawn.
 */
export function deferredDisplay(display: Display, report: (op: string, error: unknown) => void): KernelDisplay {
  const queue: Drawing[] = [];
  const apply = (): void => {
    for (const drawing of queue.splice(0)) {
      try {
        if (drawing.op === 'fill') display.fill(drawing.rect, drawing.color);
        else if (drawing.op === 'blit') display.blit(drawing.rect, drawing.pixels);
        else display.flush();
      } catch (error) {
        report(drawing.op, error);
      }
    }
  };
  const push = (drawing: Drawing): void => {
    if (queue.length === 0) setImmediate(apply);
    queue.push(drawing);
  };
  return {
    width: display.width,
    height: display.height,
    fill: (rect, color) => push({ op: 'fill', rect, color }),
    blit: (rect, pixels) => push({ op: 'blit', rect, pixels }),
    flush: () => push({ op: 'flush' }),
  };
}
