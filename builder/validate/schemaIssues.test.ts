import { describe, expect, it } from 'vitest';
import { expectIssue } from '../../test/fixtures/expectIssue.js';
import { yaml } from '../../test/fixtures/tempBuilding.js';
import { buildingSchema } from '../model/buildingSchema.js';
import { policiesSchema } from '../model/policiesSchema.js';
import { checkAgainstSchema } from './schemaIssues.js';
import { parseSourceText, type SourceFile } from './SourceFile.js';
import type { ValidationIssue } from './ValidationIssue.js';

function source(text: string, name = 'building.yaml'): SourceFile {
  const result = parseSourceText(text, name);
  if (!result.ok) throw new Error(`the test's YAML does not parse: ${result.issues.map((i) => `${i.line}:${i.column} ${i.message}`).join('; ')}`);
  return result.source;
}

function buildingIssues(text: string): ValidationIssue[] {
  return checkAgainstSchema(buildingSchema, source(text)).issues;
}

/** Validation checks inline policies with their own schema, so that is what these tests do. */
function inlinePolicyIssues(text: string): ValidationIssue[] {
  return checkAgainstSchema(policiesSchema, source(text), ['policies']).issues;
}

/** A building around one board whose devices are `devices` (indented to sit under it). */
function withDevices(devices: string): string {
  return yaml`
    osmose: 1
    building: { id: b, name: B }
    spaces:
      - id: r
        kind: room
        boards:
          - id: r-1
            board: sim
            devices:
  ` + devices.split('\n').map((line) => (line === '' ? line : `          ${line}`)).join('\n');
}

/** A building with one inline rule (indented to sit under rules). */
function withRule(rule: string): string {
  return yaml`
    osmose: 1
    building: { id: b, name: B }
    spaces: []
    policies:
      rules:
  ` + rule.split('\n').map((line) => (line === '' ? line : `    ${line}`)).join('\n');
}

describe('checkAgainstSchema', () => {
  it('returns the parsed value and no issues for a valid description', () => {
    const result = checkAgainstSchema(buildingSchema, source('osmose: 1\nbuilding: { id: b, name: B }\nspaces: []\n'));
    expect(result.issues).toEqual([]);
    expect(result.value?.building.id).toBe('b');
  });

  describe('unknown keys', () => {
    it('suggests the key that was probably meant, at every level', () => {
      const issues = buildingIssues(yaml`
        osmose: 1
        buildng: { id: b, name: B }
        spaces:
          - id: r
            kind: room
            bords: []
            boards:
              - id: r-1
                board: sim
                devices:
                  button: { driver: gpio-in, pin: GPIO17, pul: up }
      `);
      expectIssue(issues, { code: 'schema.unknown-key', line: 2, column: 1, path: 'buildng' });
      expectIssue(issues, { code: 'schema.unknown-key', line: 6, column: 5, path: 'spaces[0].bords' });
      const pul = expectIssue(issues, { code: 'schema.unknown-key', line: 11, column: 51, path: 'spaces[0].boards[0].devices.button.pul' });
      for (const issue of issues.filter((i) => i.code === 'schema.unknown-key')) expect(issue.hint).toMatch(/did you mean/);
      expect(pul.hint).toMatch(/did you mean "pull"/);
      // The misspelt key also leaves the real one missing.
      expectIssue(issues, { code: 'schema.missing-key', line: 1, column: 1, path: 'building' });
    });

    it('lists what is allowed when nothing is close', () => {
      const issues = buildingIssues('osmose: 1\nbuilding: { id: b, name: B }\nspaces: []\nfloors: []\n');
      const issue = expectIssue(issues, { code: 'schema.unknown-key', line: 4, column: 1, path: 'floors' });
      expect(issue.hint).not.toMatch(/did you mean/);
      expect(issue.hint).toContain('spaces');
    });

    it('lists the settings of the device\'s own driver', () => {
      const issues = buildingIssues(withDevices('screen: { driver: display, width: 800, height: 480, colour: true }\n'));
      const issue = expectIssue(issues, { code: 'schema.unknown-key', line: 10, column: 63, path: 'spaces[0].boards[0].devices.screen.colour' });
      expect(issue.hint).toContain('technology');
      expect(issue.hint).not.toContain('pin');
    });

    it('says to quote a flow value that a comma split in two', () => {
      const issues = buildingIssues('osmose: 1\nbuilding: { id: wgb, name: W, location: Cambridge, UK }\nspaces: []\n');
      const issue = expectIssue(issues, { code: 'schema.unknown-key', line: 2, column: 52, path: 'building.UK' });
      expect(issue.hint).toMatch(/quotes/);
    });
  });

  describe('wrong types', () => {
    it('names the field and what was found, for mappings, lists, text and numbers', () => {
      const issues = buildingIssues(yaml`
        osmose: 1
        building: 5
        spaces:
          - id: 7
            kind: room
            boards: { id: b }
            spaces: nope
          - 12
        apps: {}
      `);
      expectIssue(issues, { code: 'schema.wrong-type', line: 2, column: 11, path: 'building' });
      expectIssue(issues, { code: 'schema.wrong-type', line: 4, column: 9, path: 'spaces[0].id' });
      expectIssue(issues, { code: 'schema.wrong-type', line: 6, column: 13, path: 'spaces[0].boards' });
      expectIssue(issues, { code: 'schema.wrong-type', line: 7, column: 13, path: 'spaces[0].spaces' });
      const entry = expectIssue(issues, { code: 'schema.wrong-type', line: 8, column: 5, path: 'spaces[1]' });
      // A list entry is named as the entry, not as the list it is in.
      expect(entry.message).toContain('"spaces[1]"');
      expectIssue(issues, { code: 'schema.wrong-type', line: 9, column: 7, path: 'apps' });
    });

    it('handles odd values without crashing: devices: 5, spaces: null, null entries', () => {
      const issues = buildingIssues(yaml`
        osmose: 1
        building: { id: b, name: B }
        spaces:
          - id: r
            kind: room
            spaces:
            boards:
              - id: r-1
                board: sim
                devices: 5
              - null
      `);
      expectIssue(issues, { code: 'schema.wrong-type', line: 6, column: 5, path: 'spaces[0].spaces' });
      const devices = expectIssue(issues, { code: 'schema.wrong-type', line: 10, column: 18, path: 'spaces[0].boards[0].devices' });
      expect(devices.hint).toMatch(/mapping/);
      expectIssue(issues, { code: 'schema.wrong-type', line: 11, column: 9, path: 'spaces[0].boards[1]' });
    });

    it('describes a device that is not a mapping as a device, not as the first driver', () => {
      const issues = buildingIssues(withDevices('lamp:\nbutton: 5\n'));
      const lamp = expectIssue(issues, { code: 'schema.wrong-type', line: 10, column: 11, path: 'spaces[0].boards[0].devices.lamp' });
      expectIssue(issues, { code: 'schema.wrong-type', line: 11, column: 19, path: 'spaces[0].boards[0].devices.button' });
      expect(lamp.hint).toMatch(/driver/);
      expect(lamp.hint).not.toMatch(/digital input/);
    });

    it('shows .inf and .nan as numbers, not as JSON\'s null', () => {
      const issues = buildingIssues(withDevices('screen: { driver: display, width: .inf, height: 480 }\nmic: { driver: audio-in, rate: .nan }\n'));
      const width = expectIssue(issues, { code: 'schema.wrong-type', line: 10, column: 45, path: 'spaces[0].boards[0].devices.screen.width' });
      const rate = expectIssue(issues, { code: 'schema.invalid-value', line: 11, column: 42, path: 'spaces[0].boards[0].devices.mic.rate' });
      expect(width.message).toContain('Infinity');
      expect(rate.message).toContain('NaN');
      for (const issue of issues) expect(issue.message).not.toContain('null');
    });

    it('refuses a top-level list or scalar, saying what the file should start with', () => {
      for (const text of ['- osmose: 1\n', 'just text\n', '42\n']) {
        const issues = buildingIssues(text);
        expect(issues).toHaveLength(1);
        expect(expectIssue(issues, { code: 'schema.wrong-type', line: 1, column: 1, path: '' }).hint).toContain('osmose: 1');
      }
    });

    it('tells a policies file to hold default and rules, not a building', () => {
      const issues = checkAgainstSchema(policiesSchema, source('- app: lights\n', 'policies.yaml')).issues;
      const issue = expectIssue(issues, { code: 'schema.wrong-type', file: 'policies.yaml', line: 1, column: 1, path: '' });
      expect(issue.hint).toContain('rules');
      expect(issue.hint).not.toContain('osmose');
    });
  });

  describe('missing keys', () => {
    it('points at the mapping the key is missing from, for text, enum, literal and driver fields', () => {
      const issues = buildingIssues(yaml`
        building: { id: b }
        spaces:
          - kind: floor
            boards:
              - id: r-1
                devices:
                  x: { pin: GPIO4 }
                  y: { driver: gpio-in }
      `);
      expectIssue(issues, { code: 'schema.missing-key', line: 1, column: 1, path: 'osmose' });
      expectIssue(issues, { code: 'schema.missing-key', line: 1, column: 11, path: 'building.name' });
      expectIssue(issues, { code: 'schema.missing-key', line: 3, column: 5, path: 'spaces[0].id' });
      expectIssue(issues, { code: 'schema.missing-key', line: 5, column: 9, path: 'spaces[0].boards[0].board' });
      expectIssue(issues, { code: 'driver.missing', line: 7, column: 14, path: 'spaces[0].boards[0].devices.x.driver' });
      expectIssue(issues, { code: 'schema.missing-key', line: 8, column: 14, path: 'spaces[0].boards[0].devices.y.pin' });
      // Never "board type undefined" or "version undefined".
      for (const issue of issues) expect(issue.message).not.toContain('undefined');
    });
  });

  describe('values that are not known', () => {
    it('refuses an unknown board type, suggesting the closest from boards/', () => {
      const issues = buildingIssues(yaml`
        osmose: 1
        building: { id: b, name: B }
        spaces:
          - id: r
            kind: room
            boards:
              - { id: r-1, board: rpi44 }
              - { id: r-2, board: arduino }
      `);
      expect(expectIssue(issues, { code: 'board.unknown', line: 7, column: 27, path: 'spaces[0].boards[0].board' }).hint).toMatch(/did you mean "rpi4"/);
      const far = expectIssue(issues, { code: 'board.unknown', line: 8, column: 27, path: 'spaces[0].boards[1].board' });
      expect(far.hint).toContain('beaglebone-black');
    });

    it('refuses an unknown driver, suggesting the closest from drivers/', () => {
      const issues = buildingIssues(withDevices('lamp: { driver: gpio-outt, pin: GPIO27 }\nfan: { driver: pwm }\n'));
      expect(expectIssue(issues, { code: 'driver.unknown', line: 10, column: 27, path: 'spaces[0].boards[0].devices.lamp.driver' }).hint)
        .toMatch(/did you mean "gpio-out"/);
      expectIssue(issues, { code: 'driver.unknown', line: 11, column: 26, path: 'spaces[0].boards[0].devices.fan.driver' });
    });

    it('refuses a value outside a set of numbers (an audio rate) with the accepted ones', () => {
      const issues = buildingIssues(withDevices('mic: { driver: audio-in, rate: 16001 }\n'));
      const issue = expectIssue(issues, { code: 'schema.invalid-value', line: 10, column: 42, path: 'spaces[0].boards[0].devices.mic.rate' });
      expect(issue.hint).toContain('16000');
    });

    it('refuses an unparsable debounce duration', () => {
      const issues = buildingIssues(withDevices('button: { driver: gpio-in, pin: GPIO17, debounce: 10 ms }\nbell: { driver: gpio-in, pin: GPIO18, debounce: 10 }\n'));
      expectIssue(issues, { code: 'duration.invalid', line: 10, column: 61, path: 'spaces[0].boards[0].devices.button.debounce' });
      expectIssue(issues, { code: 'schema.wrong-type', line: 11, column: 59, path: 'spaces[0].boards[0].devices.bell.debounce' });
    });

    it('refuses a device alias, an id or a kind that is not a lowercase word', () => {
      const issues = buildingIssues(yaml`
        osmose: 1
        building: { id: b, name: B }
        spaces:
          - id: Room_1
            kind: Room
            boards:
              - id: r-1
                board: sim
                devices:
                  Big_Lamp: { driver: gpio-out, pin: GPIO27 }
      `);
      expectIssue(issues, { code: 'id.invalid', line: 4, column: 9, path: 'spaces[0].id' });
      expectIssue(issues, { code: 'schema.invalid-format', line: 5, column: 11, path: 'spaces[0].kind' });
      expectIssue(issues, { code: 'schema.invalid-key', line: 10, column: 11, path: 'spaces[0].boards[0].devices.Big_Lamp' });
    });
  });

  describe('the format version', () => {
    it.each([
      ['osmose: 2', 'a newer version'],
      ['osmose: "1"', 'the version as text'],
      ['osmose: 1.5', 'a fraction'],
    ])('refuses %s (%s)', (line) => {
      const issues = buildingIssues(`${line}\nbuilding: { id: b, name: B }\nspaces: []\n`);
      expect(issues).toHaveLength(1);
      expect(expectIssue(issues, { code: 'schema.version', line: 1, column: 9, path: 'osmose' }).hint).toContain('osmose: 1');
    });
  });

  describe('policies', () => {
    it('refuses an unknown capability, suggesting the closest', () => {
      const issues = inlinePolicyIssues(withRule('- app: lights\n  allow: [gpio, audio, network.externa]\n'));
      const audio = expectIssue(issues, { code: 'policy.unknown-capability', line: 7, column: 21, path: 'policies.rules[0].allow[1]' });
      expect(audio.hint).toContain('audio.in');
      expect(expectIssue(issues, { code: 'policy.unknown-capability', line: 7, column: 28, path: 'policies.rules[0].allow[2]' }).hint)
        .toMatch(/did you mean "network.external"/);
    });

    it.each(['clock', 'log', 'config'])('refuses %s in allow: every app has it already', (capability) => {
      const issues = inlinePolicyIssues(withRule(`- app: lights\n  allow: [gpio, ${capability}]\n`));
      expect(issues).toHaveLength(1);
      expectIssue(issues, { code: 'policy.always-granted', line: 7, column: 21, path: 'policies.rules[0].allow[1]' });
    });

    it('refuses an unparsable retain duration', () => {
      const issues = inlinePolicyIssues(withRule('- app: recorder\n  retain: 24 hours\n- app: recorder\n  retain: forever\n'));
      expect(expectIssue(issues, { code: 'duration.invalid', line: 7, column: 15, path: 'policies.rules[0].retain' }).hint).toContain('24h');
      expectIssue(issues, { code: 'duration.invalid', line: 9, column: 15, path: 'policies.rules[1].retain' });
    });

    it('refuses an unknown disclose value and an unknown default', () => {
      const issues = checkAgainstSchema(policiesSchema, source('default: maybe\nrules:\n  - app: x\n    disclose: everyone\n', 'policies.yaml')).issues;
      expectIssue(issues, { code: 'schema.invalid-value', file: 'policies.yaml', line: 1, column: 10, path: 'default' });
      expectIssue(issues, { code: 'schema.invalid-value', file: 'policies.yaml', line: 4, column: 15, path: 'rules[0].disclose' });
    });

    it('accepts a rule with no allow, and rules: null is a wrong type, not a crash', () => {
      expect(inlinePolicyIssues(withRule('- app: lights\n'))).toEqual([]);
      const issues = inlinePolicyIssues('osmose: 1\nbuilding: { id: b, name: B }\nspaces: []\npolicies:\n  rules:\n');
      expectIssue(issues, { code: 'schema.wrong-type', line: 5, column: 3, path: 'policies.rules' });
    });
  });

  describe('selectors', () => {
    function appWithPlace(place: string): string {
      return yaml`
        osmose: 1
        building: { id: b, name: B }
        spaces: []
        apps:
          - name: lights
            source: apps/lights
      ` + `    place: ${place}\n`;
    }

    it('refuses kind and ids together', () => {
      const issues = buildingIssues(appWithPlace('{ kind: room, ids: [r1] }'));
      expect(issues).toHaveLength(1);
      expectIssue(issues, { code: 'selector.kind-and-ids', line: 7, column: 12, path: 'apps[0].place' });
    });

    it('refuses an empty selector, and empty lists in it', () => {
      expectIssue(buildingIssues(appWithPlace('{}')), { code: 'selector.empty', line: 7, column: 12, path: 'apps[0].place' });
      expectIssue(buildingIssues(appWithPlace('{ ids: [] }')), { code: 'schema.out-of-range', line: 7, column: 19, path: 'apps[0].place.ids' });
      expectIssue(buildingIssues(appWithPlace('{ has: [] }')), { code: 'schema.out-of-range', line: 7, column: 19, path: 'apps[0].place.has' });
    });

    it('refuses a where selector with kind and ids in a policies file', () => {
      const issues = checkAgainstSchema(policiesSchema, source('rules:\n  - app: x\n    where: { kind: room, ids: [r1] }\n  - app: y\n    where: {}\n', 'policies.yaml')).issues;
      expectIssue(issues, { code: 'selector.kind-and-ids', file: 'policies.yaml', line: 3, column: 12, path: 'rules[0].where' });
      expectIssue(issues, { code: 'selector.empty', file: 'policies.yaml', line: 5, column: 12, path: 'rules[1].where' });
    });

    it('refuses an unknown key in a selector', () => {
      const issues = buildingIssues(appWithPlace('{ kinds: room }'));
      expect(expectIssue(issues, { code: 'schema.unknown-key', line: 7, column: 14, path: 'apps[0].place.kinds' }).hint).toMatch(/did you mean "kind"/);
    });
  });

  it('checks a prefix of the file against its own schema, with full paths', () => {
    const text = withRule('- app: lights\n  allow: [gpioo]\n');
    const issues = checkAgainstSchema(policiesSchema, source(text), ['policies']).issues;
    expectIssue(issues, { code: 'policy.unknown-capability', line: 7, column: 15, path: 'policies.rules[0].allow[0]' });
  });

  it('gives every issue a hint', () => {
    const issues = buildingIssues(yaml`
      osmose: 3
      building: { id: B, name: "", extra: 1 }
      spaces:
        - id: r
          kind: room
          boards:
            - id: r-1
              board: sim
              devices:
                mic: { driver: audio-in, rate: 1, channels: 9 }
                screen: { driver: display, width: 0, height: 1.5 }
                vault: { driver: enclave, capacity: lots }
      apps:
        - { name: Lights, source: "", place: { kind: "" }, needs: [1] }
    `);
    expect(issues.length).toBeGreaterThan(10);
    for (const issue of issues) {
      expect(issue.hint, `${issue.code} at ${issue.path}`).toMatch(/\S/);
      expect(issue.line, `${issue.code} at ${issue.path}`).toBeGreaterThan(0);
    }
  });
});
