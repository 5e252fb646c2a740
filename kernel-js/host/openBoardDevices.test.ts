import { describe, expect, it } from 'vitest';
import { simBoardBuses } from '../../drivers/index.js';
import { KernelError } from '../KernelError.js';
import { openBoardDevices } from './openBoardDevices.js';

describe('openBoardDevices', () => {
  it("opens each device of a configuration with its driver on the board's buses", async () => {
    const sim = simBoardBuses({ lines: ['GPIO17', 'GPIO27'] });
    const devices = await openBoardDevices(
      {
        button: { driver: 'gpio-in', settings: { pin: 'GPIO17', pull: 'up', activeLow: true } },
        lamp: { driver: 'gpio-out', settings: { pin: 'GPIO27' } },
        vault: { driver: 'enclave', settings: { capacity: '1GiB' } },
      },
      sim.buses,
    );
    expect([...devices.opened].map(([name, d]) => [name, d.class])).toEqual([['button', 'digital'], ['lamp', 'digital'], ['vault', 'enclave']]);
    expect([...devices.digital].map(([name, d]) => [name, d.output, d.driver.read()])).toEqual([['button', false, 0], ['lamp', true, 0]]);
    devices.digital.get('lamp')?.driver.write(1);
    expect(sim.gpio.level('GPIO27')).toBe(1);
    await devices.close();
    expect([sim.gpio.isOpen('GPIO17'), sim.gpio.isOpen('GPIO27')]).toEqual([false, false]);
  });

  it('refuses settings its driver does not accept, and a line the board lacks, closing what it opened', async () => {
    const sim = simBoardBuses({ lines: ['GPIO17'] });
    const bad = openBoardDevices({ lamp: { driver: 'gpio-out', settings: { pin: 17 } } }, sim.buses);
    await expect(bad).rejects.toBeInstanceOf(KernelError);
    await expect(bad).rejects.toMatchObject({ code: 'kernel.device', data: { device: 'lamp', driver: 'gpio-out' } });
    const missing = openBoardDevices({ button: { driver: 'gpio-in', settings: { pin: 'GPIO17' } }, lamp: { driver: 'gpio-out', settings: { pin: 'GPIO99' } } }, sim.buses);
    await expect(missing).rejects.toMatchObject({ code: 'kernel.device', data: { device: 'lamp' } });
    expect(sim.gpio.isOpen('GPIO17')).toBe(false);
  });
});
