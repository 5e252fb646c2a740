import type { Capability } from '../../lib/capabilities.js';
import { abiDefinition } from '../../userland/abi/abiDefinition.js';
import { abiFunction } from '../../userland/abi/abiFunction.js';
import type { AbiDefinition } from '../../userland/abi/AbiSpec.js';
import type { ValidationIssue } from '../validate/ValidationIssue.js';
import type { CompiledImport } from './CompileResult.js';

export interface CapabilityCheckInput {
  readonly app: string;
  readonly board: string;
  /** The module's imports, as compileApp returns them. */
  readonly imports: readonly CompiledImport[];
  /** What policy grants the app on this board, the always-granted clock, log and config included. */
  readonly granted: Iterable<Capability>;
  /** The file that holds the policies, relative to the building: `policies.yaml`, or `building.yaml` when they are inline. */
  readonly policiesFile?: string;
  /** The app's folder, where issues about imports the ABI lacks point; `apps/NAME` when absent. */
  readonly source?: string;
}

/** A refused import, with everything a message or a tool needs. */
export interface CapabilityIssue extends ValidationIssue {
  readonly code: 'capability.denied' | 'abi.unknown-module' | 'abi.unknown-function' | 'abi.import-kind';
  readonly app: string;
  readonly board: string;
  /** `module.name`. */
  readonly import: string;
  /** For `capability.denied`: what the import needs and is not granted. */
  readonly missing: readonly Capability[];
  /** For `capability.denied`: the rule that would allow it. */
  readonly rule?: { readonly app: string; readonly allow: readonly Capability[] };
}

/**
 * The imports an app may not have on a board: each one that needs a capability policy does
 * not grant the app there (naming the app, the import, the board and the rule that would
 * allow it), and each one the ABI does not define. Empty when the module may be linked.
 * Pure: the same question the board's shim asks again before linking.
 */
export function checkCapabilities(input: CapabilityCheckInput, abi: AbiDefinition = abiDefinition): CapabilityIssue[] {
  const granted = new Set(input.granted);
  const file = input.policiesFile ?? 'policies.yaml';
  const issues: CapabilityIssue[] = [];
  const base = { file, path: '', app: input.app, board: input.board, missing: [] };
  const inApp = { ...base, file: `${input.source ?? `apps/${input.app}`}/assembly/index.ts` };
  for (const entry of input.imports) {
    const name = `${entry.module}.${entry.name}`;
    if (!Object.hasOwn(abi.modules, entry.module)) {
      issues.push({ ...inApp, code: 'abi.unknown-module', import: name, message: `${input.app} on ${input.board} imports ${name}, but the ABI has no module "${entry.module}"`, hint: `the host modules are ${Object.keys(abi.modules).join(', ')}` });
      continue;
    }
    const fn = abiFunction(entry.module, entry.name, abi);
    if (fn === undefined) {
      issues.push({ ...inApp, code: 'abi.unknown-function', import: name, message: `${input.app} on ${input.board} imports ${name}, but the ABI's "${entry.module}" has no function ${entry.name}`, hint: `"${entry.module}" has ${Object.keys(abi.modules[entry.module]?.functions ?? {}).join(', ')}` });
      continue;
    }
    if (entry.kind !== 'function') {
      issues.push({ ...inApp, code: 'abi.import-kind', import: name, message: `${input.app} on ${input.board} imports ${name} as a ${entry.kind}; the host provides only functions`, hint: 'import it as a function, as the SDK does' });
      continue;
    }
    const missing = fn.requires.filter((capability) => !granted.has(capability));
    if (missing.length === 0) continue;
    const rule = { app: input.app, allow: missing };
    const allow = `[${missing.join(', ')}]`;
    issues.push({
      ...base,
      code: 'capability.denied',
      import: name,
      missing,
      rule,
      message: `${input.app} imports ${name}, which needs ${missing.join(' and ')}, not granted to ${input.app} on board ${input.board}`,
      hint: `add a rule { app: ${input.app}, allow: ${allow} } to ${file} (or stop using ${name} in ${input.app})`,
    });
  }
  return issues;
}
