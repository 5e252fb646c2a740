import { defineBoard } from './BoardSpec.js';

// Header pins P8_x / P9_x on the AM335x's four 32-line GPIO banks (kernel GPIO n is bank
// n >> 5, line n & 31). Only pins free for GPIO in the default device tree are listed.
export default defineBoard({
  id: 'beaglebone-black',
  name: 'BeagleBone Black',
  soc: 'am3358',
  gpio: [
    { chip: 'gpio-0-31', lines: { P8_13: 23, P8_14: 26, P8_17: 27, P8_19: 22, P9_41: 20 } },
    {
      chip: 'gpio-32-63',
      lines: { P8_11: 13, P8_12: 12, P8_15: 15, P8_16: 14, P8_26: 29, P9_12: 28, P9_14: 18, P9_15: 16, P9_16: 19, P9_23: 17 },
    },
    { chip: 'gpio-64-95', lines: { P8_7: 2, P8_8: 3, P8_9: 5, P8_10: 4, P8_18: 1 } },
    { chip: 'gpio-96-127', lines: { P9_27: 19, P9_30: 16 } },
  ],
  serial: { uart1: '/dev/ttyS1', uart4: '/dev/ttyS4' },
  supports: ['gpio', 'serial', 'audio'],
  audio: { in: 'plughw:CARD=Device', out: 'plughw:CARD=Black' },
  limits: { memoryPages: 128, eventBudgetMs: 100, cpus: 1 },
  simulated: false,
});
