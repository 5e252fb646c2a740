import { benchBoot } from './boot/benchBoot.js';
import { benchBuild } from './build.js';
import { benchFlash } from './flash/benchFlash.js';
import { benchValidate } from './validate.js';

// Every benchmark, one after another, so they do not compete for the two cores.
const benches: readonly (() => Promise<void>)[] = [benchValidate, benchBuild, benchBoot, benchFlash];

for (const bench of benches) await bench();
