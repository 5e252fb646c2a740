import { describe, expect, it } from 'vitest';
import { collectBytes } from '../conformance/serialConformance.js';
import { openDriver } from '../openDriver.js';
import { simBoardBuses } from './simBoardBuses.js';

describe('simBoardBuses', () => {
  it('gives a building.yaml device list its drivers, and the outside world a hand on each', async () => {
    const board = simBoardBuses({ lines: ['GPIO17', 'GPIO27'], deviceSecret: new Uint8Array(32).fill(7) });
    const button = await openDriver({ driver: 'gpio-in', pin: 'GPIO17' }, board.buses);
    const lamp = await openDriver({ driver: 'gpio-out', pin: 'GPIO27' }, board.buses);
    const meter = await openDriver({ driver: 'serial', port: 'serial0' }, board.buses);
    const screen = await openDriver({ driver: 'display', width: 2, height: 2 }, board.buses);
    if (button.class !== 'digital' || lamp.class !== 'digital' || meter.class !== 'serial' || screen.class !== 'display') throw new Error('wrong classes');

    board.gpio.setInput('GPIO17', 1);
    expect(button.driver.read()).toBe(1);
    lamp.driver.write(1);
    expect(board.gpio.level('GPIO27')).toBe(1);

    const peer = board.serialPeers.get('serial0');
    if (peer === undefined) throw new Error('no serial peer');
    const got = collectBytes((l) => peer.onData(l), 2);
    await meter.driver.write(Uint8Array.of(4, 2));
    expect([...(await got)]).toEqual([4, 2]);

    screen.driver.fill({ x: 0, y: 0, width: 1, height: 1 }, 0x00ff00);
    screen.driver.flush();
    expect(board.displays[0]?.pixel(0, 0)).toBe(0x00ff00);

    await expect(openDriver({ driver: 'gpio-in', pin: 'GPIO5' }, board.buses)).rejects.toMatchObject({ code: 'driver.bad-option' });
    for (const device of [button, lamp, meter, screen]) await device.driver.close();
  });
});
