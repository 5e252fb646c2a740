export { compileApp } from './compileApp.js';
export type { CompileInput, CompileResult, CompiledImport } from './CompileResult.js';
export { checkCapabilities } from './checkCapabilities.js';
export type { CapabilityCheckInput, CapabilityIssue } from './checkCapabilities.js';
export { checkMemoryLimit } from './checkMemoryLimit.js';
export type { MemoryLimitInput, MemoryLimitIssue } from './checkMemoryLimit.js';
export { compileFlags, toolchainIdentity, toolchainVersion, assemblyscriptVersion } from './toolchain.js';
export type { ToolchainIdentity } from './toolchain.js';
export { sdkDigest } from '../../userland/sdk/sdkSources.js';
