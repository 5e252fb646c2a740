import { defineBoard, piHeaderLines } from './BoardSpec.js';

// On the Pi 5 the header is driven by the RP1 south bridge; recent kernels put it on a
// gpiochip whose number differs from the Pi 4's, so lines are found by the chip's label.
export default defineBoard({
  id: 'rpi5',
  name: 'Raspberry Pi 5',
  soc: 'bcm2712',
  gpio: [{ chip: 'pinctrl-rp1', lines: piHeaderLines() }],
  serial: { serial0: '/dev/serial0', serial1: '/dev/ttyAMA1' },
  supports: ['gpio', 'serial', 'audio', 'display', 'enclave'],
  audio: { in: 'plughw:CARD=Device', out: 'plughw:CARD=vc4hdmi0' },
  framebuffer: '/dev/fb0',
  enclave: 'key-file',
  limits: { memoryPages: 512, eventBudgetMs: 50, cpus: 4 },
  simulated: false,
});
