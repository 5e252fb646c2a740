export { sdkDigest, sdkDir, sdkSources } from './sdkSources.js';
