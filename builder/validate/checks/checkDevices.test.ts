import { describe, expect, it } from 'vitest';
import { checkContextFor } from '../../../test/fixtures/checkContextFor.js';
import { expectIssue } from '../../../test/fixtures/expectIssue.js';
import { yaml } from '../../../test/fixtures/tempBuilding.js';
import { checkDevices } from './checkDevices.js';

/** One room with one board of `type` carrying `devices` (each line is one device). */
function board(type: string, devices: string): string {
  return yaml`
    spaces:
      - id: r
        kind: room
        boards:
          - id: r-1
            board: ${type}
            devices:
  ` + devices.split('\n').map((line) => (line === '' ? line : `          ${line}`)).join('\n');
}

describe('checkDevices', () => {
  it('accepts devices that fit their board', () => {
    const issues = checkDevices(checkContextFor(board('rpi4', yaml`
      button: { driver: gpio-in, pin: GPIO17 }
      lamp: { driver: gpio-out, pin: GPIO27 }
      meter: { driver: serial, port: serial0 }
      screen: { driver: display, width: 800, height: 480 }
      vault: { driver: enclave }
    `)));
    expect(issues).toEqual([]);
  });

  describe('pins', () => {
    it('refuses a pin the board does not have, suggesting a close one', () => {
      const issues = checkDevices(checkContextFor(board('rpi4', 'button: { driver: gpio-in, pin: GPIO28 }\nlamp: { driver: gpio-out, pin: GPIO177 }\n')));
      const far = expectIssue(issues, { code: 'pin.unknown', line: 8, column: 43, path: 'spaces[0].boards[0].devices.button.pin' });
      expect(far.hint).toContain('GPIO2');
      expect(expectIssue(issues, { code: 'pin.unknown', line: 9, column: 42, path: 'spaces[0].boards[0].devices.lamp.pin' }).hint)
        .toMatch(/did you mean GPIO17/);
    });

    it('knows each board\'s own pin names: a Pi name on a BeagleBone is refused', () => {
      const issues = checkDevices(checkContextFor(board('beaglebone-black', 'lamp: { driver: gpio-out, pin: GPIO27 }\nled: { driver: gpio-out, pin: P8_13 }\n')));
      expect(issues).toHaveLength(1);
      expect(expectIssue(issues, { code: 'pin.unknown', line: 8, column: 42, path: 'spaces[0].boards[0].devices.lamp.pin' }).hint).toContain('P8_13');
    });

    it('refuses a pin used twice on one board, pointing at the second use', () => {
      const issues = checkDevices(checkContextFor(board('sim', yaml`
        button: { driver: gpio-in, pin: GPIO17 }
        lamp: { driver: gpio-out, pin: GPIO27 }
        heater: { driver: gpio-out, pin: GPIO17 }
        fan: { driver: gpio-out, pin: GPIO17 }
      `)));
      expect(issues).toHaveLength(2);
      const heater = expectIssue(issues, { code: 'pin.duplicate', line: 10, column: 44, path: 'spaces[0].boards[0].devices.heater.pin' });
      expect(heater.message).toContain('button');
      expectIssue(issues, { code: 'pin.duplicate', line: 11, column: 41, path: 'spaces[0].boards[0].devices.fan.pin' });
    });

    it('lets two boards use the same pin name', () => {
      const issues = checkDevices(checkContextFor(yaml`
        spaces:
          - id: r
            kind: room
            boards:
              - { id: a, board: sim, devices: { lamp: { driver: gpio-out, pin: GPIO27 } } }
              - { id: b, board: sim, devices: { lamp: { driver: gpio-out, pin: GPIO27 } } }
      `));
      expect(issues).toEqual([]);
    });
  });

  describe('serial ports', () => {
    it('refuses a port the board does not have', () => {
      const issues = checkDevices(checkContextFor(board('sim', 'meter: { driver: serial, port: uart1 }\n')));
      const issue = expectIssue(issues, { code: 'serial.unknown-port', line: 8, column: 42, path: 'spaces[0].boards[0].devices.meter.port' });
      expect(issue.hint).toContain('serial0');
    });

    it('refuses a port used twice on one board', () => {
      const issues = checkDevices(checkContextFor(board('qemu-virt', 'meter: { driver: serial, port: serial0 }\nreader: { driver: serial, port: serial0 }\n')));
      expect(issues).toHaveLength(1);
      expectIssue(issues, { code: 'serial.duplicate', line: 9, column: 43, path: 'spaces[0].boards[0].devices.reader.port' });
    });
  });

  describe('board features', () => {
    it('refuses a display or an enclave on a BeagleBone Black, at the driver', () => {
      const issues = checkDevices(checkContextFor(board('beaglebone-black', yaml`
        screen: { driver: display, width: 800, height: 480 }
        vault: { driver: enclave }
        mic: { driver: audio-in }
      `)));
      expect(issues).toHaveLength(2);
      const screen = expectIssue(issues, { code: 'device.unsupported', line: 8, column: 29, path: 'spaces[0].boards[0].devices.screen.driver' });
      expect(screen.hint).toContain('rpi4');
      expectIssue(issues, { code: 'device.unsupported', line: 9, column: 28, path: 'spaces[0].boards[0].devices.vault.driver' });
    });

    it('refuses audio on the QEMU board', () => {
      const issues = checkDevices(checkContextFor(board('qemu-virt', 'speaker: { driver: audio-out }\n')));
      expectIssue(issues, { code: 'device.unsupported', line: 8, column: 30, path: 'spaces[0].boards[0].devices.speaker.driver' });
    });
  });

  it('leaves what the node checks report alone, without crashing', () => {
    // Unknown board type, unknown driver, a pin that is not text, devices that are not mappings.
    expect(checkDevices(checkContextFor(board('arduino', 'lamp: { driver: gpio-out, pin: NOPE }\n')))).toEqual([]);
    expect(checkDevices(checkContextFor(board('sim', 'fan: { driver: pwm, pin: NOPE }\nlamp: { driver: gpio-out, pin: 27 }\nbell: 5\nhorn:\n')))).toEqual([]);
    expect(checkDevices(checkContextFor('spaces: [{ id: r, kind: room, boards: [{ id: a, board: sim, devices: 5 }, { id: b, board: sim }, { id: c, board: sim, devices: null }] }]\n'))).toEqual([]);
  });
});
