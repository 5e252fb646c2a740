import { OsmoseError } from '../../lib/OsmoseError.js';
import type { CircuitDirection, CircuitKind } from './BuildPlan.js';

export interface CircuitShape {
  readonly kind: CircuitKind;
  readonly direction: CircuitDirection;
}

// By driver, not by driver class: gpio-in and gpio-out share a class but not a direction.
// Digital lines and serial lines carry a few bytes per action, so a control circuit (one
// authenticated datagram each) fits. Audio is continuous; a display frame is kilobytes to
// megabytes; an enclave receives the recorder's audio and hands sealed data back: all three
// need a stream circuit's flow control.
const shapes: Readonly<Record<string, CircuitShape>> = {
  'gpio-in': { kind: 'control', direction: 'to-app' },
  'gpio-out': { kind: 'control', direction: 'from-app' },
  serial: { kind: 'control', direction: 'both' },
  'audio-in': { kind: 'stream', direction: 'to-app' },
  'audio-out': { kind: 'stream', direction: 'from-app' },
  display: { kind: 'stream', direction: 'from-app' },
  enclave: { kind: 'stream', direction: 'both' },
};

/**
 * The kind and direction of a circuit that reaches a device of this driver on another board.
 * Validation refuses unknown drivers and a test checks that every shipped driver is in the
 * table, so a miss is a bug in osmose, not in the building.
 */
export function circuitShape(driver: string): CircuitShape {
  const shape = Object.hasOwn(shapes, driver) ? shapes[driver] : undefined;
  if (shape === undefined) {
    throw new OsmoseError('plan.no-circuit-shape', `the planner has no circuit kind for the driver "${driver}"`, { data: { driver } });
  }
  return shape;
}
