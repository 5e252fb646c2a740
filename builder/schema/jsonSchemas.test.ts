import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles } from './jsonSchemas.js';

describe('shipped JSON Schemas', () => {
  it.each(Object.entries(jsonSchemaFiles()))('%s is the one generated from the validator\'s schemas', (name, generated) => {
    const shipped = readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
    // If this fails, the model changed: run `npm run schema` and commit the result.
    expect(shipped).toBe(generated);
  });

  it('lists every board type and driver the validator knows', () => {
    const schema = JSON.parse(jsonSchemaFiles()['building.schema.json']) as { $defs: Record<string, unknown> };
    const text = JSON.stringify(schema.$defs);
    for (const board of ['rpi4', 'rpi5', 'beaglebone-black', 'qemu-virt', 'sim']) expect(text).toContain(`"${board}"`);
    for (const driver of ['gpio-in', 'gpio-out', 'audio-in', 'audio-out', 'display', 'enclave', 'serial']) {
      expect(text).toContain(`"const":"${driver}"`);
    }
  });
});
