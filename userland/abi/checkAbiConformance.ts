import { abiDefinition } from './abiDefinition.js';
import { abiFunction, abiSignature, formatSignature, sameSignature } from './abiFunction.js';
import type { AbiDefinition } from './AbiSpec.js';
import type { WasmInterface } from './readWasmInterface.js';

export type AbiProblemCode =
  | 'abi.unknown-module'
  | 'abi.unknown-function'
  | 'abi.import-kind'
  | 'abi.import-signature'
  | 'abi.missing-export'
  | 'abi.export-kind'
  | 'abi.export-signature';

/** One way a module does not fit the ABI, whoever links it. */
export interface AbiProblem {
  readonly code: AbiProblemCode;
  /** `gpio.write` for an import, `handle` for an export. */
  readonly subject: string;
  readonly message: string;
  readonly hint: string;
}

/**
 * Whether a module can be linked against the ABI at all, whatever it is granted: every
 * import is a host function the ABI defines, with the ABI's signature (memory, tables and
 * globals are never imported), and every export the ABI requires is there with its
 * signature. Capabilities are a separate question (the builder's checkCapabilities).
 */
export function checkAbiConformance(module: WasmInterface, abi: AbiDefinition = abiDefinition): AbiProblem[] {
  const problems: AbiProblem[] = [];
  const modules = Object.keys(abi.modules).join(', ');
  for (const entry of module.imports) {
    const subject = `${entry.module}.${entry.name}`;
    if (!Object.hasOwn(abi.modules, entry.module)) {
      problems.push({
        code: 'abi.unknown-module',
        subject,
        message: `imports ${subject} from "${entry.module}", a module the osmose ABI (version ${abi.version}) does not have`,
        hint:
          entry.module === 'env'
            ? `env imports come from AssemblyScript features the ABI leaves out (a declare without @external, or compiling without osmose's flags); use the SDK's modules: ${modules}`
            : `the host modules are ${modules}`,
      });
      continue;
    }
    const fn = abiFunction(entry.module, entry.name, abi);
    if (fn === undefined) {
      problems.push({
        code: 'abi.unknown-function',
        subject,
        message: `imports ${subject}, a function the "${entry.module}" module of the osmose ABI (version ${abi.version}) does not have`,
        hint: `"${entry.module}" has ${Object.keys(abi.modules[entry.module]?.functions ?? {}).join(', ')}`,
      });
      continue;
    }
    if (entry.kind !== 'function' || entry.type === undefined) {
      problems.push({ code: 'abi.import-kind', subject, message: `imports ${subject} as a ${entry.kind}; the host provides only functions`, hint: 'import it as a function, as the SDK does' });
      continue;
    }
    const expected = abiSignature(fn.params, [fn.result]);
    if (!sameSignature(entry.type, expected)) {
      problems.push({
        code: 'abi.import-signature',
        subject,
        message: `imports ${subject} as ${formatSignature(entry.type)}; the ABI defines it as ${formatSignature(expected, fn.params)}`,
        hint: 'call it through the SDK rather than declaring it yourself',
      });
    }
  }

  for (const [name, spec] of Object.entries(abi.exports)) {
    const found = module.exports.find((entry) => entry.name === name);
    if (found === undefined) {
      if (spec.required) {
        problems.push({
          code: 'abi.missing-export',
          subject: name,
          message: `does not export ${name}, which the host calls`,
          hint: spec.kind === 'function' && name === 'handle'
            ? 'export function handle(kind: EventKind, source: i32, value: i32): Status from the app\'s assembly/index.ts'
            : `export ${name} (${spec.doc})`,
        });
      }
      continue;
    }
    if (found.kind !== spec.kind) {
      problems.push({ code: 'abi.export-kind', subject: name, message: `exports ${name} as a ${found.kind}; the ABI wants a ${spec.kind}`, hint: `rename it: ${name} is reserved` });
      continue;
    }
    if (spec.kind === 'function' && found.type !== undefined) {
      const expected = abiSignature(spec.params, spec.results);
      if (!sameSignature(found.type, expected)) {
        problems.push({
          code: 'abi.export-signature',
          subject: name,
          message: `exports ${name} as ${formatSignature(found.type)}; the host calls it as ${formatSignature(expected, spec.params)}`,
          hint: name === 'handle' ? 'declare it as handle(kind: EventKind, source: i32, value: i32): Status' : name === 'start' ? 'declare it as start(): Status' : `give it the signature ${formatSignature(expected, spec.params)}`,
        });
      }
    }
  }
  return problems;
}
