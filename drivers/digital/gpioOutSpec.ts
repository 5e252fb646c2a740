import * as z from 'zod';
import { defineDriver } from '../DriverSpec.js';

export const gpioOutSpec = defineDriver({
  name: 'gpio-out',
  class: 'digital',
  summary: 'A digital output on one GPIO line: a lamp relay, a heater, a lock.',
  requires: 'gpio',
  capability: 'gpio',
  settings: z
    .strictObject({
      driver: z.literal('gpio-out'),
      pin: z.string().meta({ description: 'The GPIO line as printed on the board, such as GPIO27.' }),
      initial: z.enum(['on', 'off']).optional().meta({ description: 'State at boot, before any app runs. Default: off.' }),
      activeLow: z.boolean().optional().meta({ description: 'Drive the line low for on.' }),
    })
    .meta({ title: 'gpio-out', description: 'A digital output on one GPIO line.' }),
  claims: [{ field: 'pin', kind: 'gpio-line' }],
});
