import { describe, expect, it, vi } from 'vitest';
import { SimMicrophone, SimSpeaker } from './audio/SimAudio.js';
import { SimDigitalBus } from './digital/SimDigitalBus.js';
import { SimDisplayBus } from './display/SimDisplayBus.js';
import { SimEnclaveBus } from './enclave/SimEnclaveBus.js';
import { openDriver, type BoardBuses } from './openDriver.js';
import { simSerialPair } from './serial/simSerialPair.js';

describe('openDriver', () => {
  const digital = new SimDigitalBus();
  const buses: BoardBuses = {
    digital,
    serial: () => Promise.resolve(simSerialPair()[0]),
    audioIn: () => new SimMicrophone(),
    audioOut: () => new SimSpeaker(),
    display: (width, height) => new SimDisplayBus({ width, height }),
    enclave: () => new SimEnclaveBus(),
  };

  it('opens each shipped driver from its building.yaml settings', async () => {
    const opened = await Promise.all([
      openDriver({ driver: 'gpio-in', pin: 'GPIO17', pull: 'up', debounce: '10ms', activeLow: true }, buses),
      openDriver({ driver: 'gpio-out', pin: 'GPIO27', initial: 'on' }, buses),
      openDriver({ driver: 'serial', port: 'serial0' }, buses),
      openDriver({ driver: 'audio-in', rate: 48000, channels: 2 }, buses),
      openDriver({ driver: 'audio-out' }, buses),
      openDriver({ driver: 'display', width: 8, height: 4, technology: 'e-ink' }, buses),
      openDriver({ driver: 'enclave' }, buses),
    ]);
    expect(opened.map((o) => o.class)).toEqual(['digital', 'digital', 'serial', 'audio-in', 'audio-out', 'display', 'enclave']);
    expect(digital.level('GPIO27')).toBe(1);
    const [button] = opened;
    if (button?.class !== 'digital') throw new Error('expected the button first');
    expect(button.driver.read()).toBe(0);
    vi.useFakeTimers();
    try {
      const seen: number[] = [];
      button.driver.watch((level) => seen.push(level));
      digital.setInput('GPIO17', 0);
      vi.advanceTimersByTime(9);
      expect(seen).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(seen).toEqual([1]);
    } finally {
      vi.useRealTimers();
    }
    for (const o of opened) await o.driver.close();
  });

  it('refuses a device whose class the board has no bus for', async () => {
    await expect(openDriver({ driver: 'enclave' }, {})).rejects.toMatchObject({ code: 'driver.bad-option' });
  });
});
