import { describe, expect, it } from 'vitest';
import { circuitBandwidth } from './circuitBandwidth.js';

describe('circuitBandwidth', () => {
  it("reserves audio's PCM at the device's rate and channels, with the drivers' defaults", () => {
    expect(circuitBandwidth('audio-in', { rate: 16_000, channels: 4 })).toBe(128_000);
    expect(circuitBandwidth('audio-out', {})).toBe(32_000);
  });

  it('reserves a frame a second for e-ink and ten for an LCD', () => {
    expect(circuitBandwidth('display', { width: 1200, height: 1600, technology: 'e-ink' })).toBe(5_760_000);
    expect(circuitBandwidth('display', { width: 100, height: 100 })).toBe(300_000);
  });

  it('reserves nothing for what a control circuit carries', () => {
    expect(circuitBandwidth('gpio-out', { pin: 'GPIO27' })).toBeNull();
    expect(circuitBandwidth('serial', { port: '/dev/ttyS0' })).toBeNull();
  });
});
