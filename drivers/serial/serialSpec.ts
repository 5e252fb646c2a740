import * as z from 'zod';
import { defineDriver } from '../DriverSpec.js';

export const serialSpec = defineDriver({
  name: 'serial',
  class: 'serial',
  summary: 'A UART line to a peripheral (a meter, a controller, a reader).',
  requires: 'serial',
  capability: 'serial',
  settings: z
    .strictObject({
      driver: z.literal('serial'),
      port: z.string().meta({ description: "The board's serial port, such as serial0." }),
      baud: z.int().min(50).max(4_000_000).optional().meta({ description: 'Line speed. Default: 115200.' }),
    })
    .meta({ title: 'serial', description: 'A UART line.' }),
  claims: [{ field: 'port', kind: 'serial-port' }],
});
