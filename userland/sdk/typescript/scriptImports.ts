/**
 * A literal call of the script bridge: `osmoseHost["module.name"]` (any quote, spaces
 * allowed). The SDK names every host function this way so the name survives bundling and
 * minifying, which keep string keys as they are.
 */
const hostCall = /osmoseHost\s*(?:\?\.\s*)?\[\s*(["'`])([A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*)\1\s*\]/g;

/**
 * The ABI functions (`module.name`) a bundled script app calls, sorted and without repeats:
 * what the builder records as the ScriptModule's `imports`, so the kernel links only these
 * and refuses the app when one needs a capability its policy does not grant. Only literal
 * calls are found; a name computed at run time is not, and the engine will not have that
 * function to call. Names are not checked against the ABI here: the builder's capability
 * check and the kernel's link do that.
 */
export function scriptImports(bundle: string): string[] {
  const names = new Set<string>();
  for (const match of bundle.matchAll(hostCall)) {
    const name = match[2];
    if (name !== undefined) names.add(name);
  }
  return [...names].sort();
}
