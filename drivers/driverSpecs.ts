import { audioInSpec } from './audio/audioInSpec.js';
import { audioOutSpec } from './audio/audioOutSpec.js';
import { gpioInSpec } from './digital/gpioInSpec.js';
import { gpioOutSpec } from './digital/gpioOutSpec.js';
import { displaySpec } from './display/displaySpec.js';
import type { DriverSpec } from './DriverSpec.js';
import { enclaveSpec } from './enclave/enclaveSpec.js';
import { serialSpec } from './serial/serialSpec.js';

/** Every driver osmose ships, in the order documentation lists them. */
export const driverSpecs = [gpioInSpec, gpioOutSpec, audioInSpec, audioOutSpec, displaySpec, enclaveSpec, serialSpec] as const;

export const driverSpecsByName: ReadonlyMap<string, DriverSpec> = new Map(
  driverSpecs.map((spec): [string, DriverSpec] => [spec.name, spec as unknown as DriverSpec]),
);

export const driverNames: readonly string[] = driverSpecs.map((spec) => spec.name);
