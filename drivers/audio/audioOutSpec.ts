import * as z from 'zod';
import { defineDriver } from '../DriverSpec.js';

export const audioOutSpec = defineDriver({
  name: 'audio-out',
  class: 'audio',
  summary: 'A speaker; `directional` for a parametric (tight-beam) speaker.',
  requires: 'audio',
  capability: 'audio.out',
  settings: z
    .strictObject({
      driver: z.literal('audio-out'),
      rate: z.union([z.literal(8000), z.literal(16000), z.literal(44100), z.literal(48000)]).optional()
        .meta({ description: 'Sample rate in Hz. Default: 16000.' }),
      channels: z.int().min(1).max(8).optional().meta({ description: 'Number of channels. Default: 1.' }),
      directional: z.boolean().optional().meta({ description: 'A tight-beam speaker heard only where it points.' }),
    })
    .meta({ title: 'audio-out', description: 'A speaker.' }),
  claims: [],
});
