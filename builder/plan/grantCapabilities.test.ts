import { describe, expect, it } from 'vitest';
import type { RuleInput } from '../model/policiesSchema.js';
import { grantCapabilities } from './grantCapabilities.js';

const always = { clock: 'always', log: 'always', config: 'always' } as const;

describe('grantCapabilities', () => {
  it('with default deny and no rule grants clock, log and config only', () => {
    expect(grantCapabilities({ default: 'deny', rules: [{ app: 'a', allow: ['gpio'] }] }, [])).toEqual({ grants: always, retain: null, disclose: null });
  });

  it('grants the union of the applying rules, each capability by its first rule, in capability order', () => {
    const rules: RuleInput[] = [{ app: 'a', allow: ['channel', 'gpio'] }, { app: 'b', allow: ['serial'] }, { app: '*', allow: ['gpio', 'audio.in'] }];
    expect(grantCapabilities({ default: 'deny', rules }, [0, 2]).grants).toEqual({
      gpio: { rule: 0 },
      'audio.in': { rule: 2 },
      channel: { rule: 0 },
      ...always,
    });
  });

  it('with default allow grants every capability but network.external, rules first', () => {
    const grants = grantCapabilities({ default: 'allow', rules: [{ app: 'a', allow: ['display'] }] }, [0]).grants;
    expect(grants.display).toEqual({ rule: 0 });
    expect(grants.gpio).toBe('default');
    expect(grants['network.external']).toBeUndefined();
    expect(Object.keys(grants)).toHaveLength(8 + 3);
    expect(grantCapabilities({ default: 'allow', rules: [{ app: 'a', allow: ['network.external'] }] }, [0]).grants['network.external']).toEqual({ rule: 0 });
  });

  it('keeps the shortest retain and the narrowest disclose, whichever rule comes first', () => {
    const rules: RuleInput[] = [
      { app: 'a', retain: '2w', disclose: 'operator' },
      { app: 'a', retain: '36h', disclose: 'nobody' },
      { app: 'a', retain: '2d', disclose: 'participants' },
      { app: 'a', retain: '1.5d' },
    ];
    const { retain, disclose } = grantCapabilities({ default: 'deny', rules }, [0, 1, 2, 3]);
    expect(retain).toEqual({ duration: '36h', ms: 36 * 3_600_000, rule: 1 });
    expect(disclose).toEqual({ to: 'nobody', rule: 1 });
    expect(grantCapabilities({ default: 'deny', rules }, [0, 2]).disclose).toEqual({ to: 'participants', rule: 2 });
  });
});
