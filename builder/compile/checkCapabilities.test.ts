import { describe, expect, it } from 'vitest';
import { alwaysGranted, type Capability } from '../../lib/capabilities.js';
import { formatIssues } from '../validate/formatIssues.js';
import { checkCapabilities } from './checkCapabilities.js';
import type { CompiledImport } from './CompileResult.js';
import { compileApp } from './compileApp.js';

const imported = (...names: string[]): CompiledImport[] =>
  names.map((name) => {
    const [module = '', fn = ''] = name.split('.');
    return { module, name: fn, kind: 'function' };
  });

const granted = (...capabilities: Capability[]): Capability[] => [...alwaysGranted, ...capabilities];

describe('checkCapabilities', () => {
  it('accepts imports whose capabilities are all granted, and the always-granted clock, log and config', () => {
    expect(checkCapabilities({ app: 'lights', board: 'fw11-door', imports: imported('gpio.write', 'clock.now', 'log.write', 'config.device'), granted: granted('gpio') })).toEqual([]);
    expect(checkCapabilities({ app: 'lights', board: 'fw11-door', imports: imported('clock.setTimer', 'log.write', 'config.read'), granted: granted() })).toEqual([]);
  });

  it('refuses an import that needs an ungranted capability, naming the app, the import, the board and the rule that would allow it', () => {
    const issues = checkCapabilities({ app: 'lights', board: 'fw11-door', imports: imported('gpio.write', 'audio.write'), granted: granted('gpio') });
    expect(issues).toEqual([
      expect.objectContaining({
        code: 'capability.denied',
        file: 'policies.yaml',
        app: 'lights',
        board: 'fw11-door',
        import: 'audio.write',
        missing: ['audio.out'],
        rule: { app: 'lights', allow: ['audio.out'] },
      }),
    ]);
    const text = formatIssues(issues);
    expect(text).toBe(
      'policies.yaml: error: lights imports audio.write, which needs audio.out, not granted to lights on board fw11-door\n' +
        '  fix: add a rule { app: lights, allow: [audio.out] } to policies.yaml (or stop using audio.write in lights)',
    );
  });

  it('refuses each import on its own, and names only what is missing', () => {
    const issues = checkCapabilities({
      app: 'recorder',
      board: 'meeting-1-table',
      imports: imported('audio.start', 'audio.record', 'enclave.seal'),
      granted: granted('audio.in'),
      policiesFile: 'building.yaml',
    });
    expect(issues.map((issue) => [issue.import, issue.missing, issue.file])).toEqual([
      ['audio.record', ['enclave'], 'building.yaml'],
      ['enclave.seal', ['enclave'], 'building.yaml'],
    ]);
    expect(issues[0]?.hint).toBe('add a rule { app: recorder, allow: [enclave] } to building.yaml (or stop using audio.record in recorder)');
  });

  it('names both capabilities when an import needs two', () => {
    const [issue] = checkCapabilities({ app: 'recorder', board: 'b', imports: imported('audio.record'), granted: granted() });
    expect(issue?.message).toBe('recorder imports audio.record, which needs audio.in and enclave, not granted to recorder on board b');
    expect(issue?.rule).toEqual({ app: 'recorder', allow: ['audio.in', 'enclave'] });
  });

  it('refuses imports the ABI does not define, whatever is granted, at the app\'s source', () => {
    const issues = checkCapabilities({
      app: 'spy',
      board: 'b',
      imports: [...imported('net.fetch', 'gpio.pwm'), { module: 'env', name: 'memory', kind: 'memory' }, { module: 'gpio', name: 'read', kind: 'global' }],
      granted: granted('gpio', 'network.external'),
      source: 'apps/tools/spy',
    });
    expect(issues.map((issue) => [issue.code, issue.import, issue.file])).toEqual([
      ['abi.unknown-module', 'net.fetch', 'apps/tools/spy/assembly/index.ts'],
      ['abi.unknown-function', 'gpio.pwm', 'apps/tools/spy/assembly/index.ts'],
      ['abi.unknown-module', 'env.memory', 'apps/tools/spy/assembly/index.ts'],
      ['abi.import-kind', 'gpio.read', 'apps/tools/spy/assembly/index.ts'],
    ]);
  });

  it('refuses a compiled app that plays audio where policy grants only gpio', async () => {
    const source = `import { EventKind, Status, audio } from "osmose";
const speaker = audio.speaker("speaker");
export function handle(kind: EventKind, source: i32, value: i32): Status {
  return kind == EventKind.Press ? speaker.play("chime") : Status.Ignored;
}
`;
    const result = await compileApp({ app: 'lights', files: new Map([['assembly/index.ts', source]]) });
    if (!result.ok) throw new Error(formatIssues(result.issues));
    const issues = checkCapabilities({ app: 'lights', board: 'fw11-door', imports: result.imports, granted: granted('gpio') });
    expect(issues.map((issue) => issue.import)).toEqual(['audio.play']);
    const text = formatIssues(issues);
    for (const part of ['lights', 'audio.play', 'fw11-door', '{ app: lights, allow: [audio.out] }', 'policies.yaml']) expect(text).toContain(part);
  });
});
