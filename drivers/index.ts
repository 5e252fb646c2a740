export { driverSpecs, driverSpecsByName, driverNames } from './driverSpecs.js';
export { defineDriver } from './DriverSpec.js';
export type { DriverSpec, DriverClass, ResourceClaim } from './DriverSpec.js';
export { boardFeatures } from './boardFeatures.js';
export type { BoardFeature } from './boardFeatures.js';
