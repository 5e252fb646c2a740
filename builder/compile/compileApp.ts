import { OsmoseError } from '../../lib/OsmoseError.js';
import type { CompileInput, CompileResult } from './CompileResult.js';

export type { CompileInput, CompileResult, CompiledImport } from './CompileResult.js';
import { compileModule } from './compileModule.js';

const appName = /^[a-z][a-z0-9-]*$/;
const segment = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

// asc keeps compiler state between the awaits of one compile; one at a time is the safe
// reading of its API, and compiles are CPU-bound anyway.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Compiles an app's AssemblyScript to a WebAssembly module in this process, through asc's
 * API and an in-memory file system (no temporary files): the app's files under its source
 * folder and the SDK as the package `osmose`, with the fixed flags of `compileFlags`. The
 * same inputs give the same bytes. Compile errors are returned as issues, never thrown; a
 * module that does not fit the ABI (an unknown import, a missing `handle`) is refused too.
 * Whether the app may use what it imports on a given board is checkCapabilities' question.
 */
export async function compileApp(input: CompileInput): Promise<CompileResult> {
  if (!appName.test(input.app)) {
    throw new OsmoseError('compile.bad-input', `"${input.app}" is not an app name`, { hint: 'an app name is lowercase letters, digits and hyphens, starting with a letter', data: { app: input.app } });
  }
  const source = input.source ?? `apps/${input.app}`;
  if (!isRelativePath(source)) {
    throw new OsmoseError('compile.bad-input', `the source folder of ${input.app}, "${source}", is not a relative path inside the building`, { data: { app: input.app, source } });
  }
  for (const path of input.files.keys()) {
    if (!isRelativePath(path)) {
      throw new OsmoseError('compile.bad-input', `the file "${path}" of ${input.app} is not a relative path inside its folder`, { data: { app: input.app, path } });
    }
  }
  const run = queue.then(() => compileModule({ app: input.app, source, files: input.files }));
  queue = run.catch(() => undefined);
  return run;
}

function isRelativePath(path: string): boolean {
  return path.split('/').every((part) => segment.test(part) && part !== '..');
}
