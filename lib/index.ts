export { OsmoseError, InputError, isOsmoseError } from './OsmoseError.js';
export type { ErrorData, OsmoseErrorJson } from './OsmoseError.js';
export { didYouMean, didYouMeanSuffix } from './didYouMean.js';
export { grantableCapabilities, alwaysGranted } from './capabilities.js';
export type { Capability, GrantableCapability } from './capabilities.js';
export { parseDuration, durationPattern, durationSchema, durationHint } from './duration.js';
