import * as z from 'zod';
import { defineDriver } from '../DriverSpec.js';

export const displaySpec = defineDriver({
  name: 'display',
  class: 'display',
  summary: 'A framebuffer display: e-ink wallpaper, a panel.',
  requires: 'display',
  capability: 'display',
  settings: z
    .strictObject({
      driver: z.literal('display'),
      width: z.int().min(1).max(8192).meta({ description: 'Width in pixels.' }),
      height: z.int().min(1).max(8192).meta({ description: 'Height in pixels.' }),
      technology: z.enum(['e-ink', 'lcd']).optional().meta({ description: 'Default: lcd.' }),
    })
    .meta({ title: 'display', description: 'A framebuffer display.' }),
  claims: [],
});
