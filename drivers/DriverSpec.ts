import type * as z from 'zod';
import type { BoardFeature } from './boardFeatures.js';
import type { GrantableCapability } from '../lib/capabilities.js';

/** The driver classes; every driver of a class implements that class's one interface. */
export type DriverClass = 'digital' | 'audio' | 'display' | 'enclave' | 'serial';

/**
 * A settings field that names a board resource the device takes for itself (a GPIO line, a
 * serial port): it must exist on the board, and no two devices on a board may share one.
 */
export interface ResourceClaim {
  readonly field: string;
  readonly kind: 'gpio-line' | 'serial-port';
}

/**
 * What the builder needs to know about a driver before any hardware is touched: its name in
 * building.yaml, its settings schema, the board feature it runs on, the capability an app
 * must be granted to use it, and the board resources its settings claim.
 */
export interface DriverSpec<Settings extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly class: DriverClass;
  readonly summary: string;
  readonly requires: BoardFeature;
  readonly capability: GrantableCapability;
  /** A strict object schema whose `driver` field is the literal `name`. */
  readonly settings: Settings;
  readonly claims: readonly ResourceClaim[];
}

export function defineDriver<Settings extends z.ZodObject>(spec: DriverSpec<Settings>): DriverSpec<Settings> {
  return spec;
}
