import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliContext, RegisterCommands } from '../lib/cli/CliContext.js';
import { InputError } from '../lib/OsmoseError.js';
import { exitCodes, runCli } from './runCli.js';

const root = mkdtempSync(join(tmpdir(), 'osmose-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[], layers?: RegisterCommands[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { cwd: root, stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), env: {}, interactive: false };
  const code = await runCli(argv, io, layers);
  return { code, stdout, stderr };
}

/** A layer with commands that fail in each way the CLI distinguishes, and one that says where it runs. */
const probe: RegisterCommands = (program, cli: CliContext) => {
  program.command('crash').action(() => {
    throw new TypeError('a bug');
  });
  program
    .command('refuse')
    .option('--json')
    .action(() => {
      throw new InputError('probe.refused', 'that input is refused', { hint: 'change it', data: { why: 'test' } });
    });
  program.command('where').action(() => cli.stdout(`${cli.cwd()}\n`));
};

describe('runCli', () => {
  it('reports an internal error as one, with exit status 70', async () => {
    const result = await run(['crash'], [probe]);
    expect(result.code).toBe(exitCodes.internal);
    expect(result.stderr).toMatch(/internal error/);
    expect(result.stderr).toMatch(/TypeError: a bug/);
  });

  it('reports refused input with its hint and no stack trace, exit 1', async () => {
    const result = await run(['refuse'], [probe]);
    expect(result.code).toBe(exitCodes.refused);
    expect(result.stderr).toBe('osmose: that input is refused\n  hint: change it\n');
  });

  it('reports refused input as JSON under --json', async () => {
    const result = await run(['refuse', '--json'], [probe]);
    expect(result.code).toBe(exitCodes.refused);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: 'probe.refused', hint: 'change it', data: { why: 'test' } } });
  });

  it('treats each -C as relative to the one before, like git', async () => {
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    expect((await run(['-C', 'a', '-C', 'b', 'where'], [probe])).stdout).toBe(`${join(root, 'a', 'b')}\n`);
    expect((await run(['-C', join(root, 'a'), 'where'], [probe])).stdout).toBe(`${join(root, 'a')}\n`);
  });

  it('exits 2 with help when no command is given', async () => {
    const result = await run([], [probe]);
    expect(result.code).toBe(exitCodes.usage);
    expect(result.stderr).toMatch(/Usage: osmose/);
  });

  it('exits 0 for --help and --version', async () => {
    expect((await run(['--help'], [probe])).code).toBe(exitCodes.ok);
    expect((await run(['where', '--help'], [probe])).code).toBe(exitCodes.ok);
    expect((await run(['--version'], [probe])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
