import { defineBoard, piHeaderLines } from './BoardSpec.js';

export default defineBoard({
  id: 'rpi4',
  name: 'Raspberry Pi 4 Model B',
  soc: 'bcm2711',
  gpio: [{ chip: 'pinctrl-bcm2711', lines: piHeaderLines() }],
  serial: { serial0: '/dev/serial0', serial1: '/dev/ttyAMA1' },
  supports: ['gpio', 'serial', 'audio', 'display', 'enclave'],
  audio: { in: 'plughw:CARD=Device', out: 'plughw:CARD=Headphones' },
  framebuffer: '/dev/fb0',
  enclave: 'key-file',
  limits: { memoryPages: 256, eventBudgetMs: 50, cpus: 4 },
  simulated: false,
});
