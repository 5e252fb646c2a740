import * as z from 'zod';
import { durationSchema } from '../../lib/duration.js';
import { defineDriver } from '../DriverSpec.js';

// Step 1: the spec. What building.yaml may say about the device, strictly; the board feature
// it needs; the capability an app must be granted; the settings that claim a board resource.
// A real driver adds its spec to driverSpecs in ../driverSpecs.ts; the template does not.
export const expanderPinSpec = defineDriver({
  name: 'expander-pin',
  class: 'digital',
  summary: 'One pin of an 8-bit I²C GPIO expander (PCF8574-like): a button or a relay beyond the board header.',
  requires: 'gpio',
  capability: 'gpio',
  settings: z
    .strictObject({
      driver: z.literal('expander-pin'),
      bit: z.int().min(0).max(7).meta({ description: 'The expander pin, 0 to 7.' }),
      direction: z.enum(['in', 'out']).meta({ description: 'An input (button) or an output (relay).' }),
      debounce: durationSchema.optional().meta({ description: 'Inputs: ignore edges closer together than this. Default: 0ms.' }),
    })
    .meta({ title: 'expander-pin', description: 'One pin of an I²C GPIO expander.' }),
  claims: [],
});
