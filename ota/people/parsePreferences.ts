import { InputError } from '../../lib/OsmoseError.js';
import type { Preferences } from './PersonRecord.js';

/** The temperatures a person may ask for, in °C: outside them a heater would be asked for something unsafe or absurd. */
export const temperatureRange = { min: 5, max: 35 } as const;

/**
 * Preferences as JSON brings them (`{ "temperature": 21.5 }`): every key known and every
 * value in range, or refused (`people.bad-preferences`) naming the field. `where` names the
 * source for the message (`preferences`, `--prefer`).
 */
export function parsePreferences(value: unknown, where = 'preferences'): Preferences {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError('people.bad-preferences', `${where} must be an object such as { "temperature": 21.5 }`, { data: { where } });
  }
  const preferences: { temperature?: number } = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key !== 'temperature') {
      throw new InputError('people.bad-preferences', `${where}.${key} is not a preference the building knows`, { hint: 'the only preference is temperature (°C)', data: { where, key } });
    }
    if (typeof entry !== 'number' || !Number.isFinite(entry) || entry < temperatureRange.min || entry > temperatureRange.max) {
      throw new InputError('people.bad-preferences', `${where}.temperature must be a number of °C from ${temperatureRange.min} to ${temperatureRange.max}; got ${JSON.stringify(entry)}`, {
        hint: 'temperature=21.5',
        data: { where, key },
      });
    }
    preferences.temperature = entry;
  }
  return preferences;
}

/**
 * `--prefer temperature=21.5`, repeatable, as the CLI takes it: the same checks as
 * parsePreferences, the values read as numbers.
 */
export function parsePreferenceOptions(options: readonly string[]): Preferences {
  const entries: Record<string, unknown> = {};
  for (const option of options) {
    const match = /^([a-z]+)=(.+)$/.exec(option.trim());
    if (match === null) throw new InputError('people.bad-preferences', `--prefer ${option}: write NAME=VALUE, such as temperature=21.5`, { data: { option } });
    const [, key = '', text = ''] = match;
    const number = Number(text);
    entries[key] = text.trim() === '' || Number.isNaN(number) ? text : number;
  }
  return parsePreferences(entries, '--prefer');
}
