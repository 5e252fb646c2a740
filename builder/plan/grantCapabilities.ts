import { alwaysGranted, grantableCapabilities, type Capability } from '../../lib/capabilities.js';
import { parseDuration } from '../../lib/duration.js';
import type { Building } from '../validate/validateBuilding.js';
import type { DisclosePolicy, GrantReason, PlannedFragment, RetainPolicy } from './BuildPlan.js';

/** From the narrowest audience to the widest. */
const disclosureOrder = ['nobody', 'participants', 'operator'] as const;

/**
 * What the policy rules that apply to a fragment (`rules`: their indexes, ascending) grant it:
 *
 * - every capability a rule's `allow` names, recorded against the first rule that names it;
 * - with `default: allow`, every other grantable capability except `network.external`, which
 *   only a rule can grant;
 * - `clock`, `log` and `config`, always;
 * - the shortest `retain` and the narrowest `disclose` of those rules (nobody, participants,
 *   operator), so that adding a rule can never keep data longer or show it to more people.
 */
export function grantCapabilities(
  policies: Building['policies'],
  rules: readonly number[],
): Pick<PlannedFragment, 'grants' | 'retain' | 'disclose'> {
  const reasons = new Map<Capability, GrantReason>();
  let retain: RetainPolicy | null = null;
  let disclose: DisclosePolicy | null = null;
  for (const index of rules) {
    const rule = policies.rules[index];
    if (rule === undefined) continue;
    for (const capability of rule.allow ?? []) if (!reasons.has(capability)) reasons.set(capability, { rule: index });
    const ms = rule.retain === undefined ? undefined : parseDuration(rule.retain);
    if (rule.retain !== undefined && ms !== undefined && (retain === null || ms < retain.ms)) retain = { duration: rule.retain, ms, rule: index };
    if (rule.disclose !== undefined && (disclose === null || disclosureOrder.indexOf(rule.disclose) < disclosureOrder.indexOf(disclose.to))) {
      disclose = { to: rule.disclose, rule: index };
    }
  }
  if (policies.default === 'allow') {
    for (const capability of grantableCapabilities) {
      if (capability !== 'network.external' && !reasons.has(capability)) reasons.set(capability, 'default');
    }
  }
  for (const capability of alwaysGranted) reasons.set(capability, 'always');
  const grants: Partial<Record<Capability, GrantReason>> = {};
  for (const capability of [...grantableCapabilities, ...alwaysGranted]) {
    const reason = reasons.get(capability);
    if (reason !== undefined) grants[capability] = reason;
  }
  return { grants, retain, disclose };
}
