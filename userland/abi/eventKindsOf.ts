import { abiDefinition } from './abiDefinition.js';
import type { AbiDefinition } from './AbiSpec.js';

/**
 * The event kinds a module built for ABI `version` knows. A host sends it no other (docs/abi.md,
 * "Events"): an app written before Expected existed must not be handed a kind it may take for
 * something else.
 */
export function eventKindsOf(version: number, abi: AbiDefinition = abiDefinition): ReadonlySet<number> {
  return new Set(Object.values(abi.events).filter((event) => (event.since ?? 1) <= version).map((event) => event.code));
}
