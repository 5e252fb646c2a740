import { describe, expect, it } from 'vitest';
import { GpioIn } from './GpioIn.js';
import { GpioOut } from './GpioOut.js';
import { SimDigitalBus } from './SimDigitalBus.js';

describe('SimDigitalBus', () => {
  it('has only the lines it was given, and one driver a line', () => {
    const bus = new SimDigitalBus({ lines: ['GPIO17'] });
    expect(() => new GpioIn({ bus, pin: 'GPIO4' })).toThrow(expect.objectContaining({ code: 'driver.bad-option' }));
    const first = new GpioIn({ bus, pin: 'GPIO17' });
    expect(bus.isOpen('GPIO17')).toBe(true);
    expect(() => new GpioOut({ bus, pin: 'GPIO17' })).toThrow(expect.objectContaining({ code: 'driver.bad-option' }));
    first.close();
    expect(bus.isOpen('GPIO17')).toBe(false);
    new GpioOut({ bus, pin: 'GPIO17' }).close();
  });

  it('floats an unset input to its pull, keeps a level set from outside, and refuses to drive an output', () => {
    const bus = new SimDigitalBus();
    expect(new GpioIn({ bus, pin: 'GPIO5', pull: 'up' }).read()).toBe(1);
    bus.setInput('GPIO6', 1);
    expect(new GpioIn({ bus, pin: 'GPIO6', pull: 'down' }).read()).toBe(1);
    new GpioOut({ bus, pin: 'GPIO7' });
    expect(() => bus.setInput('GPIO7', 1)).toThrow(expect.objectContaining({ code: 'driver.bad-option' }));
  });

  it('tells observers when a driver changes an output, and only on a change', () => {
    const bus = new SimDigitalBus();
    const seen: [string, number][] = [];
    bus.onOutput((line, level) => seen.push([line, level]));
    const lamp = new GpioOut({ bus, pin: 'GPIO27' });
    lamp.write(1);
    lamp.write(1);
    lamp.write(0);
    expect(seen).toEqual([['GPIO27', 1], ['GPIO27', 0]]);
  });
});
