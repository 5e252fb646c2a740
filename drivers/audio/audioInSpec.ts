import * as z from 'zod';
import { defineDriver } from '../DriverSpec.js';

export const audioInSpec = defineDriver({
  name: 'audio-in',
  class: 'audio',
  summary: 'A microphone or microphone array.',
  requires: 'audio',
  capability: 'audio.in',
  settings: z
    .strictObject({
      driver: z.literal('audio-in'),
      rate: z.union([z.literal(8000), z.literal(16000), z.literal(44100), z.literal(48000)]).optional()
        .meta({ description: 'Sample rate in Hz. Default: 16000.' }),
      channels: z.int().min(1).max(8).optional().meta({ description: 'Number of channels. Default: 1.' }),
    })
    .meta({ title: 'audio-in', description: 'A microphone.' }),
  claims: [],
});
