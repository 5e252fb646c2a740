import * as z from 'zod';
import { buildingSchema } from '../model/buildingSchema.js';
import { policiesSchema } from '../model/policiesSchema.js';

/**
 * JSON Schemas for editors, generated from the same zod schemas the validator parses with,
 * so the two cannot disagree. (The validator's whole-building checks — unique ids, pins
 * that exist on the board, bindings — go beyond what JSON Schema can say.)
 */
export function jsonSchemas(): { building: object; policies: object } {
  return {
    building: { $id: 'https://osmose.invalid/schema/building.schema.json', ...z.toJSONSchema(buildingSchema, { io: 'input', unrepresentable: 'any' }) },
    policies: { $id: 'https://osmose.invalid/schema/policies.schema.json', ...z.toJSONSchema(policiesSchema, { io: 'input', unrepresentable: 'any' }) },
  };
}

/** The schemas as the files shipped in schema/ and written into new buildings. */
export function jsonSchemaFiles(): Record<'building.schema.json' | 'policies.schema.json', string> {
  const { building, policies } = jsonSchemas();
  return {
    'building.schema.json': `${JSON.stringify(building, null, 2)}\n`,
    'policies.schema.json': `${JSON.stringify(policies, null, 2)}\n`,
  };
}
