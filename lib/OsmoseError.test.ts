import { describe, expect, it } from 'vitest';
import { InputError, OsmoseError, isOsmoseError } from './OsmoseError.js';

describe('OsmoseError', () => {
  it('round-trips through JSON with its code, hint and data', () => {
    const error = new OsmoseError('pin.duplicate', 'GPIO27 is already used', { hint: 'give heater another pin', data: { pin: 'GPIO27' } });
    const back = OsmoseError.fromJSON(JSON.parse(JSON.stringify(error)) as ReturnType<OsmoseError['toJSON']>);
    expect(back).toBeInstanceOf(OsmoseError);
    expect(back.code).toBe('pin.duplicate');
    expect(back.hint).toBe('give heater another pin');
    expect(back.data).toEqual({ pin: 'GPIO27' });
    expect(back.message).toBe('GPIO27 is already used');
  });

  it('leaves out an absent hint', () => {
    expect(new OsmoseError('x', 'y').toJSON()).not.toHaveProperty('hint');
  });

  it('marks input errors apart from other failures', () => {
    const error = new InputError('building.not-found', 'no building');
    expect(isOsmoseError(error)).toBe(true);
    expect(error).toBeInstanceOf(InputError);
    expect(isOsmoseError(new Error('plain'))).toBe(false);
  });
});
