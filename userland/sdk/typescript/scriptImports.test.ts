import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { abiDefinition } from '../../abi/index.js';
import { scriptImports } from './scriptImports.js';

describe('scriptImports', () => {
  it('finds each literal host call once, sorted, whatever the quotes and spacing', () => {
    const bundle = `osmoseHost["gpio.write"](1, 1); osmoseHost [ 'config.device' ]("lamp"); osmoseHost[\`log.write\`](1, "x"); osmoseHost["gpio.write"](1, 0); globalThis.osmoseHost?.["clock.now"]();`;
    expect(scriptImports(bundle)).toEqual(['clock.now', 'config.device', 'gpio.write', 'log.write']);
  });

  it('does not take output(), a computed name or a mismatched quote for an import', () => {
    expect(scriptImports('osmoseHost.output(); osmoseHost[name](); osmoseHost["gpio.write\'](); osmoseHost["nodot"]();')).toEqual([]);
  });

  it("finds every ABI function in the SDK's host.ts, and nothing else", async () => {
    const host = await readFile(new URL('./host.ts', import.meta.url), 'utf8');
    const abi = Object.entries(abiDefinition.modules).flatMap(([module, { functions }]) => Object.keys(functions).map((name) => `${module}.${name}`));
    expect(scriptImports(host)).toEqual(abi.sort());
  });
});
