import { describe, expect, it } from 'vitest';
import { openDriver } from '../openDriver.js';
import { SimSpeaker } from './SimAudio.js';
import { Speaker } from './Speaker.js';

describe('Speaker, aimed', () => {
  it('has aim only when directional, and the sim speaker remembers who each write was aimed at', () => {
    expect(new Speaker({ bus: new SimSpeaker() }).aim).toBeUndefined();
    expect(new Speaker({ bus: new SimSpeaker(), directional: false }).aim).toBeUndefined();

    const bus = new SimSpeaker();
    const speaker = new Speaker({ bus, directional: true });
    expect(bus.aimedAt).toBeNull();
    speaker.write(Int16Array.of(1, 2));
    speaker.aim?.(7);
    speaker.write(Int16Array.of(3));
    speaker.write(Int16Array.of(4));
    speaker.aim?.(null);
    speaker.write(Int16Array.of(5));
    expect(bus.plays().map(({ aimedAt, samples }) => [aimedAt, [...samples]])).toEqual([
      [null, [1, 2]],
      [7, [3]],
      [7, [4]],
      [null, [5]],
    ]);
    expect([...bus.played()]).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses to aim at what is not a person, and once closed', () => {
    const speaker = new Speaker({ bus: new SimSpeaker(), directional: true });
    for (const person of [-1, 1.5, Number.NaN]) expect(() => speaker.aim?.(person)).toThrow(expect.objectContaining({ code: 'driver.bad-option' }));
    speaker.close();
    expect(() => speaker.aim?.(3)).toThrow(expect.objectContaining({ code: 'driver.closed' }));
  });

  it('is directional when its audio-out settings say so', async () => {
    const open = (directional?: boolean) =>
      openDriver({ driver: 'audio-out', ...(directional === undefined ? {} : { directional }) }, { audioOut: () => new SimSpeaker() });
    const opened = await Promise.all([open(true), open(false), open()]);
    expect(opened.map((found) => found.class === 'audio-out' && found.driver.aim !== undefined)).toEqual([true, false, false]);
  });
});
