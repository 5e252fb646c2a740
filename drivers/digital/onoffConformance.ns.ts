// The digital conformance suite on the real onoff bus. Not a *.test.ts: it runs only inside
// the private mount namespace OnoffDigitalBus.test.ts sets up (tmpfs over /sys/class), through
// onoffInNamespace.vitest.config.ts, never against a machine's real sysfs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { digitalConformance } from '../conformance/digitalConformance.js';
import { GpioIn } from './GpioIn.js';
import { GpioOut } from './GpioOut.js';
import { OnoffDigitalBus } from './OnoffDigitalBus.js';

const root = '/sys/class/gpio';
if (!readFileSync('/proc/self/mounts', 'utf8').includes(' /sys/class tmpfs ')) {
  throw new Error('refusing to run: /sys/class is not a private tmpfs (run through OnoffDigitalBus.test.ts)');
}

/** Lays out line n as the kernel shows it once exported, wire low. */
function exported(n: number): void {
  if (!existsSync(`${root}/export`)) writeFileSync(`${root}/export`, '');
  if (!existsSync(`${root}/unexport`)) writeFileSync(`${root}/unexport`, '');
  mkdirSync(`${root}/gpio${n}`, { recursive: true });
  for (const [file, content] of [['value', '0'], ['direction', 'in'], ['edge', 'none'], ['active_low', '0']] as const) {
    writeFileSync(`${root}/gpio${n}/${file}`, `${content}\n`);
  }
}

digitalConformance({
  name: 'gpio-in/gpio-out on OnoffDigitalBus (sysfs on tmpfs, poll edges)',
  input(options) {
    exported(17);
    const bus = new OnoffDigitalBus({ lines: { GPIO17: 17 }, edges: 'poll', pollMs: 1 });
    const driver = new GpioIn({ bus, pin: 'GPIO17', ...options });
    return {
      driver,
      drive(raw) {
        writeFileSync(`${root}/gpio17/value`, `${raw}\n`);
        bus.poll();
      },
    };
  },
  output(options) {
    exported(27);
    const bus = new OnoffDigitalBus({ lines: { GPIO27: 27 } });
    const driver = new GpioOut({ bus, pin: 'GPIO27', ...options });
    return { driver, probe: () => (readFileSync(`${root}/gpio27/value`, 'utf8').trim() === '1' ? 1 : 0) };
  },
});
