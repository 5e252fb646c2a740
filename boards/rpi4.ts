import { defineBoard, piHeaderLines } from './BoardSpec.js';

export default defineBoard({
  id: 'rpi4',
  name: 'Raspberry Pi 4 Model B',
  soc: 'bcm2711',
  gpio: [{ chip: 'pinctrl-bcm2711', lines: piHeaderLines() }],
  serial: { serial0: '/dev/serial0', serial1: '/dev/ttyAMA1' },
  supports: ['gpio', 'serial', 'audio', 'display', 'enclave'],
  limits: { memoryPages: 256, eventBudgetMs: 50, cpus: 4 },
  simulated: false,
});
