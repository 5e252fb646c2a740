import { describe, expect, it } from 'vitest';
import { idSchema } from '../model/selectorSchema.js';
import { buildingIdFrom } from './buildingIdFrom.js';

describe('buildingIdFrom', () => {
  it.each([
    ['wgb', 'wgb'],
    ['William Gates Building', 'william-gates-building'],
    ['  --Hôtel de Ville (Paris)--  ', 'hotel-de-ville-paris'],
    ['b_2__east', 'b-2-east'],
    ['7th-floor', '7th-floor'],
  ])('makes %j into %j', (name, id) => {
    expect(buildingIdFrom(name)).toBe(id);
    expect(idSchema.safeParse(id).success).toBe(true);
  });

  it('falls back to the next name, then to "building", when a name has no usable characters', () => {
    expect(buildingIdFrom('___', 'The Annex')).toBe('the-annex');
    expect(buildingIdFrom('', '東京')).toBe('building');
  });
});
