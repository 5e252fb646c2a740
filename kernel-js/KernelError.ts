import { OsmoseError } from '../lib/OsmoseError.js';

/**
 * A unikernel the shim refuses or stops: malformed, too large, linking what it is not
 * granted, trapping, looping. The code says which (`kernel.*`, `watchdog.*`); it travels
 * as JSON into state.json and the health report.
 */
export class KernelError extends OsmoseError {}
