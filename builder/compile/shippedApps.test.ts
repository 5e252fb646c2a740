import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alwaysGranted, type Capability } from '../../lib/capabilities.js';
import { readWasmInterface } from '../../userland/abi/readWasmInterface.js';
import { shippedAppsDir } from '../../userland/shippedApps.js';
import type { PoliciesInput } from '../model/policiesSchema.js';
import { templatesDir } from '../init/templatesDir.js';
import { formatIssues } from '../validate/formatIssues.js';
import { checkCapabilities } from './checkCapabilities.js';
import { compileApp } from './compileApp.js';
import { compileScriptApp, scriptEntry } from './compileScriptApp.js';

function appFiles(name: string): Map<string, string> {
  const dir = join(shippedAppsDir(), name);
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'), readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  }
  return files;
}

const apps = readdirSync(shippedAppsDir(), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const policies = parse(readFileSync(join(templatesDir(), 'coworking', 'policies.yaml'), 'utf8')) as PoliciesInput;

describe('the apps that ship with osmose', () => {
  it('are the six the coworking template runs', () => {
    expect(apps).toEqual(['heating', 'lights', 'presence', 'recorder', 'wallpaper', 'wayfinding']);
  });

  it.each(apps)('%s compiles, and imports nothing the coworking policies do not grant it', async (name) => {
    const files = appFiles(name);
    // wallpaper and wayfinding are in plain TypeScript (docs/typescript-apps.md): a module with no memory of its own.
    const result = await (files.has(scriptEntry) ? compileScriptApp : compileApp)({ app: name, files });
    if (!result.ok) throw new Error(formatIssues(result.issues));
    expect(readWasmInterface(result.wasm).memory?.initial ?? 0).toBeLessThanOrEqual(1);
    const rule = policies.rules?.find((candidate) => candidate.app === name);
    const granted: Capability[] = [...alwaysGranted, ...(rule?.allow ?? [])];
    expect(checkCapabilities({ app: name, board: 'any', imports: result.imports, granted })).toEqual([]);
    // And the policy grants nothing the app does not use: channel aside, which reaches a device
    // of another board across a circuit without an import of its own (the recorder's microphone).
    const used = new Set(checkCapabilities({ app: name, board: 'any', imports: result.imports, granted: alwaysGranted }).flatMap((issue) => issue.missing));
    if (rule?.allow?.includes('channel') === true) used.add('channel');
    expect([...(rule?.allow ?? [])].sort()).toEqual([...used].sort());
  });
});

describe('docs/typescript-apps.md', () => {
  const guide = readFileSync(new URL('../../docs/typescript-apps.md', import.meta.url), 'utf8');
  const examples = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '').filter((code) => code.includes('app({'));

  it.each(examples.map((code, i) => [i + 1, code]))('example %i compiles', async (_, code) => {
    expect(examples.length).toBeGreaterThanOrEqual(1);
    const result = await compileScriptApp({ app: 'example', files: new Map([[scriptEntry, code]]) });
    if (!result.ok) throw new Error(formatIssues(result.issues));
    expect(result.imports.map((entry) => `${entry.module}.${entry.name}`)).toContain('display.text');
  });
});

describe('docs/writing-an-app.md', () => {
  const guide = readFileSync(new URL('../../docs/writing-an-app.md', import.meta.url), 'utf8');
  const examples = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '').filter((code) => code.includes('export function handle'));

  it('has complete examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples.map((code, i) => [i + 1, code]))('example %i compiles', async (_, code) => {
    const result = await compileApp({ app: 'example', files: new Map([['assembly/index.ts', code]]) });
    if (!result.ok) throw new Error(formatIssues(result.issues));
  });
});
