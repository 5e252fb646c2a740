import type { GrantableCapability } from '../../lib/capabilities.js';
import type { RuleInput } from '../model/policiesSchema.js';
import { buildingFileName, type Building } from '../validate/validateBuilding.js';
import type { PlannedFragment } from './BuildPlan.js';

export type PolicySuggestion =
  /** Add the capability to the `allow` of a rule that already applies to this fragment. */
  | { readonly kind: 'extend'; readonly file: string; readonly rule: number; readonly path: string; readonly text: string }
  /** Add a new rule. */
  | { readonly kind: 'add'; readonly file: string; readonly rule: RuleInput; readonly path: string; readonly text: string };

/**
 * The smallest change to the policies that would grant `capability` to `fragment`, for the
 * compiler's "not granted" error; undefined when it is granted already.
 *
 * The first rule that applies to the fragment and names its app (not `*`, which would grant
 * every app) gets the capability added to its `allow`. Without one, a new rule for the app
 * with no `where`: every instance of an app runs the same WebAssembly, so an import one
 * board needs, all of them need. `path` is where the change goes in `file`, in the form
 * validation prints (`rules[4].allow`, or `policies.rules[4].allow` for inline policies).
 */
export function ruleThatWouldAllow(building: Building, fragment: PlannedFragment, capability: GrantableCapability): PolicySuggestion | undefined {
  if (fragment.grants[capability] !== undefined) return undefined;
  const file = building.policiesFile;
  const prefix = file === buildingFileName ? 'policies.' : '';
  const own = fragment.rules.find((r) => building.policies.rules[r]?.app === fragment.app);
  if (own !== undefined) {
    const path = `${prefix}rules[${own}].allow`;
    return { kind: 'extend', file, rule: own, path, text: `add ${capability} to ${path} in ${file} (the rule for ${fragment.app})` };
  }
  const rule: RuleInput = { app: fragment.app, allow: [capability] };
  const path = `${prefix}rules[${building.policies.rules.length}]`;
  return { kind: 'add', file, rule, path, text: `add a rule to ${file}: { app: ${fragment.app}, allow: [${capability}] }` };
}
