import { defineBoard, piHeaderLines } from './BoardSpec.js';

// The simulated board names its lines like the Pi's header so a building can swap `sim`
// for `rpi4` without touching its device list. Its devices are software, made by the sim
// bus; many sim boards share one process.
export default defineBoard({
  id: 'sim',
  name: 'Simulated board',
  soc: 'sim',
  gpio: [{ chip: 'sim-gpio', lines: piHeaderLines() }],
  serial: { serial0: 'pty', serial1: 'pty' },
  supports: ['gpio', 'serial', 'audio', 'display', 'enclave'],
  limits: { memoryPages: 256, eventBudgetMs: 50, cpus: 1 },
  simulated: true,
});
