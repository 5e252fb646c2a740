/**
 * Capabilities are what policy grants an app; each is a host module the unikernel may import.
 * `clock`, `log` and `config` are granted to every app and cannot be named in a rule.
 */
export const grantableCapabilities = [
  'gpio',
  'serial',
  'audio.in',
  'audio.out',
  'display',
  'enclave',
  'channel',
  'presence',
  'network.external',
] as const;

export type GrantableCapability = (typeof grantableCapabilities)[number];

export const alwaysGranted = ['clock', 'log', 'config'] as const;

export type Capability = GrantableCapability | (typeof alwaysGranted)[number];
