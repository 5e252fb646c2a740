// Run by OnoffDigitalBus.test.ts inside a private mount namespace whose /sys/class is a fresh
// tmpfs: it lays out a sysfs GPIO tree as the kernel would after export, drives the real
// onoff backend through the drivers, and prints what it saw as one JSON line.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Level } from './Digital.js';
import { GpioIn } from './GpioIn.js';
import { GpioOut } from './GpioOut.js';
import { OnoffDigitalBus } from './OnoffDigitalBus.js';

const root = '/sys/class/gpio';
const value = (n: number): string => readFileSync(`${root}/gpio${n}/value`, 'utf8').trim();
const setValue = (n: number, level: Level): void => writeFileSync(`${root}/gpio${n}/value`, `${level}\n`);

writeFileSync(`${root}/export`, '');
writeFileSync(`${root}/unexport`, '');
for (const n of [17, 22, 27]) {
  mkdirSync(`${root}/gpio${n}`);
  for (const [file, content] of [['value', '0'], ['direction', 'in'], ['edge', 'none'], ['active_low', '0']] as const) {
    writeFileSync(`${root}/gpio${n}/${file}`, `${content}\n`);
  }
}

const bus = new OnoffDigitalBus({ lines: { GPIO17: 17, GPIO22: 22, GPIO27: 27 }, edges: 'poll', pollMs: 1 });
const seen: Record<string, unknown> = {};

const lamp = new GpioOut({ bus, pin: 'GPIO27', initial: 1 });
seen['outInitial'] = value(27);
seen['outDirection'] = readFileSync(`${root}/gpio27/direction`, 'utf8').trim();
lamp.write(0);
seen['outAfterWrite0'] = value(27);
lamp.close();
seen['unexportAfterOut'] = readFileSync(`${root}/unexport`, 'utf8').trim();

const relay = new GpioOut({ bus, pin: 'GPIO22', activeLow: true });
seen['activeLowOffIsHigh'] = value(22);
relay.write(1);
seen['activeLowOnIsLow'] = value(22);
relay.close();

const button = new GpioIn({ bus, pin: 'GPIO17', activeLow: true });
seen['inDirection'] = readFileSync(`${root}/gpio17/direction`, 'utf8').trim();
seen['readPressed'] = button.read();
const edges: Level[] = [];
let wake: (() => void) | undefined;
button.watch((level) => {
  edges.push(level);
  wake?.();
});
// Each change waits for its edge, so every level is seen by a poll before the next.
const edgeAfter = (level: Level): Promise<void> =>
  new Promise((resolve) => {
    const before = edges.length;
    wake = () => {
      if (edges.length > before) resolve();
    };
    setValue(17, level);
  });
await edgeAfter(1);
await edgeAfter(0);
await edgeAfter(1);
seen['edges'] = edges;
button.close();
seen['unexportAfterIn'] = readFileSync(`${root}/unexport`, 'utf8').trim();
try {
  button.read();
} catch (error) {
  seen['afterClose'] = (error as { code?: string }).code;
}
process.stdout.write(`${JSON.stringify(seen)}\n`);
