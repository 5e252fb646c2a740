import { describe, expect, it } from 'vitest';
import { grantableCapabilities } from '../lib/capabilities.js';
import { boardFeatures } from './boardFeatures.js';
import { driverSpecs } from './driverSpecs.js';

describe('driver specs', () => {
  it.each(driverSpecs.map((spec) => [spec.name, spec] as const))('%s is consistent', (name, spec) => {
    expect(boardFeatures).toContain(spec.requires);
    expect(grantableCapabilities).toContain(spec.capability);
    // The discriminator of each settings schema is the driver's own name.
    expect(spec.settings.safeParse({ driver: 'something-else' }).success).toBe(false);
    for (const claim of spec.claims) expect(Object.keys(spec.settings.shape)).toContain(claim.field);
    expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('refuses unknown settings keys', () => {
    const gpioIn = driverSpecs.find((spec) => spec.name === 'gpio-in');
    expect(gpioIn?.settings.safeParse({ driver: 'gpio-in', pin: 'GPIO17' }).success).toBe(true);
    expect(gpioIn?.settings.safeParse({ driver: 'gpio-in', pin: 'GPIO17', pul: 'up' }).success).toBe(false);
  });
});
