import * as z from 'zod';
import { durationSchema } from '../../lib/duration.js';
import { defineDriver } from '../DriverSpec.js';

export const gpioInSpec = defineDriver({
  name: 'gpio-in',
  class: 'digital',
  summary: 'A digital input on one GPIO line: a button, a contact, a motion sensor.',
  requires: 'gpio',
  capability: 'gpio',
  settings: z
    .strictObject({
      driver: z.literal('gpio-in'),
      pin: z.string().meta({ description: 'The GPIO line as printed on the board, such as GPIO17.' }),
      pull: z.enum(['up', 'down', 'none']).optional().meta({ description: 'Internal bias resistor. Default: none.' }),
      debounce: durationSchema.optional().meta({ description: 'Ignore edges closer together than this. Default: 0ms.' }),
      edge: z.enum(['rising', 'falling', 'both']).optional().meta({ description: 'Which edges raise events. Default: both.' }),
      activeLow: z.boolean().optional().meta({ description: 'Read a low line as active (1).' }),
    })
    .meta({ title: 'gpio-in', description: 'A digital input on one GPIO line.' }),
  claims: [{ field: 'pin', kind: 'gpio-line' }],
});
