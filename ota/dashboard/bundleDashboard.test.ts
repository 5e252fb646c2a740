import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleDashboard } from './bundleDashboard.js';

const client = join(import.meta.dirname, 'client');
const made: string[] = [];

async function temporary(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'osmose-dashboard-'));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('bundleDashboard', () => {
  it('bundles the page into the three files index.html asks for, self-contained', async () => {
    const out = await temporary();
    const warnings = await bundleDashboard(client, out);
    expect(warnings).toEqual([]);
    expect((await readdir(out)).sort()).toEqual(['app.css', 'app.css.map', 'app.js', 'app.js.map', 'index.html']);
    const html = await readFile(join(out, 'index.html'), 'utf8');
    expect(html).toContain('src="app.js"');
    expect(html).toContain('href="app.css"');
    const js = await readFile(join(out, 'app.js'), 'utf8');
    // A building has no internet: the bundle imports nothing, and Node's modules never reach it.
    expect(js).not.toMatch(/\bimport\s*["'{*]/);
    expect(js).not.toContain('node:');
    expect(js).toContain('/api/events');
    expect(await readFile(join(out, 'app.css'), 'utf8')).toContain(':focus-visible');
  });

  it('fails with esbuild’s message naming the file when the page does not compile', async () => {
    const broken = await temporary();
    await cp(client, join(broken, 'client'), { recursive: true });
    await writeFile(join(broken, 'client', 'main.tsx'), 'import { App } from "./App.js";\nrender(<App </div>);\n');
    const failure: unknown = await bundleDashboard(join(broken, 'client'), join(broken, 'out')).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    const errors = (failure as { errors: { text: string; location: { file: string } | null }[] }).errors;
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.location?.file).toMatch(/main\.tsx$/);
  });
});
