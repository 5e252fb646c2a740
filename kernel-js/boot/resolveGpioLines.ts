import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BoardSpec } from '../../boards/index.js';
import { KernelError } from '../KernelError.js';

/**
 * The sysfs GPIO number of every line a board names: each bank's chip is found by its label
 * among `SYSFS/class/gpio/gpiochipN`, and its lines are numbered from that chip's `base`. The
 * base differs between kernels (the Pi 5's RP1 header is not where the Pi 4's was), so it is
 * never written down. Refuses (`kernel.gpio-chip`) when a bank's chip is not there.
 */
export async function resolveGpioLines(board: BoardSpec, sysfs = '/sys'): Promise<Record<string, number>> {
  const root = join(sysfs, 'class', 'gpio');
  const chips = new Map<string, number>();
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries.filter((name) => name.startsWith('gpiochip'))) {
    const [label, base] = await Promise.all([readFile(join(root, entry, 'label'), 'utf8'), readFile(join(root, entry, 'base'), 'utf8')]).catch(() => ['', '']);
    const number = Number.parseInt(base.trim(), 10);
    if (label.trim() !== '' && Number.isInteger(number)) chips.set(label.trim(), number);
  }
  const lines: Record<string, number> = {};
  for (const bank of board.gpio) {
    const base = chips.get(bank.chip);
    if (base === undefined) {
      throw new KernelError('kernel.gpio-chip', `no GPIO chip labelled ${bank.chip} under ${root} (found: ${[...chips.keys()].join(', ') || 'none'})`, {
        hint: `is this a ${board.name}? The board type in board.json must match the hardware`,
        data: { chip: bank.chip, found: [...chips.keys()] },
      });
    }
    for (const [name, offset] of Object.entries(bank.lines)) lines[name] = base + offset;
  }
  return lines;
}
