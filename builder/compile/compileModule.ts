import { posix } from 'node:path';
import { checkAbiConformance } from '../../userland/abi/checkAbiConformance.js';
import { readWasmInterface } from '../../userland/abi/readWasmInterface.js';
import { encodeVersionSection } from '../../userland/abi/versionSection.js';
import { sdkSources } from '../../userland/sdk/sdkSources.js';
import type { ValidationIssue } from '../validate/ValidationIssue.js';
import type { CompileResult } from './CompileResult.js';
import { compileFlags } from './toolchain.js';

/** Where asc finds `import … from "osmose"`: a package in node_modules above the importing file. */
const sdkMount = 'node_modules/osmose/';
/** What the SDK's files are called in messages. */
const sdkLabel = 'osmose/';
// The real entry re-exports the app and loads the SDK's runtime, which the --use flags name,
// even for an app that imports nothing from "osmose".
const wrapperPath = 'osmose-entry.ts';
const outFile = 'module.wasm';

/** asc's DiagnosticCategory.Error (Pedantic 0, Info 1, Warning 2, Error 3). */
const errorCategory = 3;

interface Diagnostic {
  readonly category: number;
  readonly message: string;
  readonly path: string | undefined;
  readonly start: number;
}

/** The work behind compileApp, its input checked. */
export async function compileModule(input: { app: string; source: string; files: ReadonlyMap<string, string> }): Promise<CompileResult> {
  const entry = `${input.source}/assembly/index.ts`;
  const tree = new Map<string, string>();
  const issues: ValidationIssue[] = [];
  for (const [path, text] of input.files) {
    if (path.split('/').includes('node_modules')) {
      issues.push({
        code: 'compile.node-modules',
        file: `${input.source}/${path}`,
        path: '',
        message: `${input.app} carries its own node_modules, which would shadow the osmose SDK`,
        hint: `remove ${input.source}/${path}; apps are compiled against the SDK of the osmose that builds them`,
      });
    }
    tree.set(`${input.source}/${path}`, text);
  }
  if (!tree.has(entry)) {
    issues.push({ code: 'compile.entry', file: entry, path: '', message: `${input.app} has no ${entry}, where every app starts`, hint: `create ${entry} exporting handle(kind, source, value)` });
  }
  if (issues.length > 0) return { ok: false, issues };

  for (const [path, text] of sdkSources()) tree.set(sdkMount + path, text);
  tree.set(wrapperPath, `export * from "./${entry.replace(/\.ts$/, '')}";\nimport "osmose/runtime";\n`);

  const asc = (await import('assemblyscript/asc')).default;
  const diagnostics: Diagnostic[] = [];
  let wasm: Uint8Array | undefined;
  const stderr = asc.createMemoryStream();
  const result = await asc.main([wrapperPath, '--outFile', outFile, ...compileFlags, '--noColors'], {
    readFile: (name) => tree.get(posix.normalize(name)) ?? null,
    writeFile: (name, contents) => {
      if (name === outFile && typeof contents !== 'string') wasm = contents;
    },
    listFiles: () => [],
    stdout: asc.createMemoryStream(),
    stderr,
    reportDiagnostic: (diagnostic) => {
      diagnostics.push({
        category: diagnostic.category,
        message: diagnostic.message,
        path: diagnostic.range?.source.normalizedPath,
        start: diagnostic.range?.start ?? 0,
      });
    },
  });

  const errors = diagnostics.filter((diagnostic) => diagnostic.category === errorCategory);
  if (errors.length > 0) return { ok: false, issues: errors.map((diagnostic) => issueOf(diagnostic, tree, entry)) };
  if (result.error !== null || wasm === undefined) {
    const message = [result.error?.message ?? 'asc wrote no module', stderr.toString().trim()].filter((part) => part !== '').join('\n');
    return { ok: false, issues: [{ code: 'compile.error', file: entry, path: '', message }] };
  }

  const module = readWasmInterface(wasm);
  const problems = checkAbiConformance(module);
  if (problems.length > 0) {
    return { ok: false, issues: problems.map((problem) => ({ code: problem.code, file: entry, path: '', message: `${input.app} ${problem.message}`, hint: problem.hint })) };
  }
  const section = encodeVersionSection();
  const stamped = new Uint8Array(wasm.length + section.length);
  stamped.set(wasm);
  stamped.set(section, wasm.length);
  return { ok: true, wasm: stamped, imports: module.imports.map(({ module: from, name, kind }) => ({ module: from, name, kind })) };
}

/** An asc diagnostic as an issue at `file:line:column` (1-based; columns count UTF-16 units, as editors do). */
function issueOf(diagnostic: Diagnostic, tree: ReadonlyMap<string, string>, entry: string): ValidationIssue {
  if (diagnostic.path === undefined) return { code: 'compile.error', file: entry, path: '', message: diagnostic.message };
  // Files of packages are named ~lib/PACKAGE/…, the SDK's ~lib/osmose/….
  const mounted = diagnostic.path.startsWith('~lib/osmose/') ? sdkMount + diagnostic.path.slice('~lib/osmose/'.length) : diagnostic.path;
  const text = tree.get(mounted);
  const file = mounted.startsWith(sdkMount) ? sdkLabel + mounted.slice(sdkMount.length) : diagnostic.path;
  if (text === undefined) return { code: 'compile.error', file, path: '', message: diagnostic.message };
  const before = text.slice(0, diagnostic.start);
  const line = before.split('\n').length;
  const column = diagnostic.start - (before.lastIndexOf('\n') + 1) + 1;
  return { code: 'compile.error', file, line, column, path: '', message: diagnostic.message };
}
