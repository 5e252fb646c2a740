import { describe, expect, it } from 'vitest';
import { InputError } from '../../lib/OsmoseError.js';
import { insideWindow, localTime } from './insideWindow.js';
import { parseMaxFailures } from './parseMaxFailures.js';
import { parseRolloutOptions, rolloutDefaults } from './parseRolloutOptions.js';
import { parseWaves } from './parseWaves.js';
import { formatWindow, parseWindow } from './parseWindow.js';
import { waveTarget } from './waveTarget.js';

function refusal(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parseWaves', () => {
  it('reads counts then percentages, cumulative, ending with 100%', () => {
    expect(parseWaves('1,5%,25%,100%')).toEqual([{ count: 1 }, { percent: 5 }, { percent: 25 }, { percent: 100 }]);
    expect(parseWaves('1, 10, 2.5%, 100%')).toEqual([{ count: 1 }, { count: 10 }, { percent: 2.5 }, { percent: 100 }]);
    expect(parseWaves('100%')).toEqual([{ percent: 100 }]);
  });

  it.each([
    ['1,5%,25%', 'the last wave must be 100%'],
    ['1,25%,5%,100%', '5% is not larger than the wave before it (25%)'],
    ['5,2,100%', '2 is not larger than the wave before it (5)'],
    ['5%,10,100%', 'the count 10 comes after a percentage'],
    ['0,100%', 'a wave of 0 boards'],
    ['1,150%', '150% is not a percentage above 0 and at most 100'],
    ['1,,100%', '"" is neither'],
    ['one,100%', '"one" is neither'],
  ])('refuses %s, naming the option, the value and an example', (text, why) => {
    const error = refusal(() => parseWaves(text));
    expect(error.code).toBe('rollout.bad-waves');
    expect(error.message).toContain(`--waves ${text}`);
    expect(error.message).toContain(why);
    expect(error.hint).toContain('--waves 1,5%,25%,100%');
  });
});

describe('waveTarget', () => {
  it('rounds a percentage up and caps a count at the boards there are', () => {
    expect([waveTarget({ count: 1 }, 100), waveTarget({ percent: 5 }, 100), waveTarget({ percent: 7 }, 100), waveTarget({ percent: 5 }, 10)]).toEqual([1, 5, 7, 1]);
    expect([waveTarget({ count: 50 }, 10), waveTarget({ percent: 100 }, 0), waveTarget({ percent: 100 }, 37)]).toEqual([10, 0, 37]);
  });
});

describe('parseMaxFailures', () => {
  it('reads a count or a percentage', () => {
    expect(parseMaxFailures('3')).toEqual({ count: 3 });
    expect(parseMaxFailures('0')).toEqual({ count: 0 });
    expect(parseMaxFailures('10%')).toEqual({ percent: 10 });
  });

  it.each(['-1', 'three', '3.5', '120%', ''])('refuses %j', (text) => {
    const error = refusal(() => parseMaxFailures(text));
    expect(error.code).toBe('rollout.bad-max-failures');
    expect(error.message).toContain('--max-failures');
    expect(error.hint).toContain('--max-failures 3');
  });
});

describe('parseWindow', () => {
  it('reads days, ranges, lists and times, every day when none are given', () => {
    expect(parseWindow('22:00-06:00')).toEqual({ days: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'], start: 1320, end: 360 });
    expect(parseWindow('Mon-Fri 22:00-06:00')).toEqual({ days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], start: 1320, end: 360 });
    expect(parseWindow('Sat,Sun 00:00-24:00')).toEqual({ days: ['Sun', 'Sat'], start: 0, end: 1440 });
    expect(parseWindow('fri-mon 1:30-2:45').days).toEqual(['Sun', 'Mon', 'Fri', 'Sat']);
    expect(parseWindow('Tuesday 09:00-10:00').days).toEqual(['Tue']);
    expect(formatWindow(parseWindow('Mon-Fri 22:00-06:00'))).toBe('Mon,Tue,Wed,Thu,Fri 22:00-06:00');
    expect(formatWindow(parseWindow('00:00-24:00'))).toBe('00:00-24:00');
  });

  it.each([
    ['Mon-Fri', 'it is not [DAYS] HH:MM-HH:MM'],
    ['Mon-Fri 25:00-06:00', '25:00 is not a time of day'],
    ['10:00-10:00', 'the window starts when it ends'],
    ['Moonday 10:00-11:00', '"Moonday" is not a day'],
    ['24:00-06:00', '24:00 is not a time of day'],
    ['Mon-Wed-Fri 10:00-11:00', 'Mon-Wed-Fri is not a day or a range'],
  ])('refuses %j', (text, why) => {
    const error = refusal(() => parseWindow(text));
    expect(error.code).toBe('rollout.bad-window');
    expect(error.message).toContain(`--window "${text}"`);
    expect(error.message).toContain(why);
    expect(error.hint).toContain('Mon-Fri 22:00-06:00');
  });
});

describe('insideWindow', () => {
  const nights = [parseWindow('Mon-Fri 22:00-06:00')];
  const at = (iso: string): Date => new Date(iso);

  it('is always open without windows', () => {
    expect(insideWindow([], 'UTC', at('2025-01-05T12:00:00Z'))).toBe(true);
  });

  it('reads the wall clock of the building, with its daylight saving time', () => {
    expect(localTime(at('2025-01-06T21:30:00Z'), 'Europe/Paris')).toEqual({ day: 'Mon', minute: 22 * 60 + 30 });
    expect(localTime(at('2025-07-07T21:30:00Z'), 'Europe/Paris')).toEqual({ day: 'Mon', minute: 23 * 60 + 30 });
    expect(localTime(at('2025-01-06T23:30:00Z'), 'Europe/Paris')).toEqual({ day: 'Tue', minute: 30 });
    expect(localTime(at('2025-01-06T00:05:00Z'), 'UTC')).toEqual({ day: 'Mon', minute: 5 });
  });

  it.each([
    ['2025-01-06T20:59:00Z', false, 'Monday 21:59'],
    ['2025-01-06T21:00:00Z', true, 'Monday 22:00'],
    ['2025-01-07T04:59:00Z', true, 'Tuesday 05:59, Monday night'],
    ['2025-01-07T05:00:00Z', false, 'Tuesday 06:00'],
    ['2025-01-06T03:00:00Z', false, 'Monday 04:00, Sunday night has no window'],
    ['2025-01-11T04:00:00Z', true, 'Saturday 05:00, Friday night'],
    ['2025-01-11T22:00:00Z', false, 'Saturday 23:00'],
    ['2025-07-07T20:30:00Z', true, 'Monday 22:30 in summer time (20:30 UTC)'],
  ])('%s in Paris is %s (%s)', (iso, open) => {
    expect(insideWindow(nights, 'Europe/Paris', at(iso))).toBe(open);
  });

  it('is open all day for 00:00-24:00, and any window of several will do', () => {
    const weekend = parseWindow('Sat,Sun 00:00-24:00');
    expect(insideWindow([weekend], 'UTC', at('2025-01-11T23:59:00Z'))).toBe(true);
    expect(insideWindow([weekend], 'UTC', at('2025-01-13T00:00:00Z'))).toBe(false);
    expect(insideWindow([...nights, weekend], 'Europe/Paris', at('2025-01-11T12:00:00Z'))).toBe(true);
  });
});

describe('parseRolloutOptions', () => {
  it('fills in the defaults', () => {
    expect(parseRolloutOptions({})).toEqual({
      waves: parseWaves(rolloutDefaults.waves),
      maxFailures: { percent: 5 },
      windows: [],
      timezone: 'UTC',
      healthTimeoutMs: 600_000,
    });
  });

  it('reads every option', () => {
    const options = parseRolloutOptions({ waves: '2,100%', maxFailures: '1', window: ['Sat 10:00-12:00', '22:00-02:00'], healthTimeout: '90s', timezone: 'Europe/London' });
    expect(options).toMatchObject({ waves: [{ count: 2 }, { percent: 100 }], maxFailures: { count: 1 }, timezone: 'Europe/London', healthTimeoutMs: 90_000 });
    expect(options.windows).toHaveLength(2);
  });

  it('refuses a health timeout that is not a duration, and a time zone that is not one', () => {
    const timeout = refusal(() => parseRolloutOptions({ healthTimeout: 'soon' }));
    expect(timeout.code).toBe('rollout.bad-health-timeout');
    expect(timeout.hint).toContain('--health-timeout 5m');
    expect(refusal(() => parseRolloutOptions({ healthTimeout: '0s' })).code).toBe('rollout.bad-health-timeout');
    const zone = refusal(() => parseRolloutOptions({ timezone: 'Mars/Olympus' }));
    expect(zone.code).toBe('rollout.bad-timezone');
    expect(zone.message).toContain('building.timezone "Mars/Olympus"');
  });
});
