import { defineBoard } from './BoardSpec.js';

// QEMU's `virt` machine (aarch64): a PL061 controller with 8 lines and a PL011 UART.
export default defineBoard({
  id: 'qemu-virt',
  name: 'QEMU virt (aarch64)',
  soc: 'virt',
  gpio: [{ chip: '9030000.pl061', lines: { GPIO0: 0, GPIO1: 1, GPIO2: 2, GPIO3: 3, GPIO4: 4, GPIO5: 5, GPIO6: 6, GPIO7: 7 } }],
  serial: { serial0: '/dev/ttyAMA0' },
  supports: ['gpio', 'serial', 'display'],
  framebuffer: '/dev/fb0',
  limits: { memoryPages: 256, eventBudgetMs: 50, cpus: 2 },
  simulated: false,
});
