import { describe, expect, it } from 'vitest';
import { driverNames } from '../../drivers/driverSpecs.js';
import { isOsmoseError } from '../../lib/OsmoseError.js';
import { circuitShape } from './circuitShape.js';

describe('circuitShape', () => {
  it('knows every driver osmose ships', () => {
    for (const driver of driverNames) expect(() => circuitShape(driver), driver).not.toThrow();
  });

  it('gives digital and serial lines a control circuit, audio, display and enclave a stream', () => {
    expect(Object.fromEntries(driverNames.map((driver) => [driver, `${circuitShape(driver).kind} ${circuitShape(driver).direction}`]))).toEqual({
      'gpio-in': 'control to-app',
      'gpio-out': 'control from-app',
      'audio-in': 'stream to-app',
      'audio-out': 'stream from-app',
      display: 'stream from-app',
      enclave: 'stream both',
      serial: 'control both',
    });
  });

  it('calls a driver it does not know a bug, not a building problem', () => {
    let caught: unknown;
    try {
      circuitShape('toString');
    } catch (error) {
      caught = error;
    }
    expect(isOsmoseError(caught) && caught.code).toBe('plan.no-circuit-shape');
  });
});
