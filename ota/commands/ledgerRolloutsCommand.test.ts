import fs, { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import git from 'isomorphic-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerCommand } from '../../builder/commands/ledgerCommand.js';
import type { CliContext } from '../../lib/cli/CliContext.js';
import { parseRolloutOptions } from '../rollout/parseRolloutOptions.js';
import type { RolloutInput } from '../rollout/RolloutInput.js';
import { RolloutJournal } from '../rollout/RolloutJournal.js';
import type { RolloutSpec } from '../rollout/RolloutSpec.js';
import { startRollout } from '../rollout/startRollout.js';
import { stepRollout } from '../rollout/stepRollout.js';
import { registerOtaCommands } from './registerOtaCommands.js';

let root: string;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'osmose-ledger-rollouts-'));
  writeFileSync(join(root, 'building.yaml'), 'osmose: 1\n');
  await git.init({ fs, dir: root, defaultBranch: 'main' });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Runs `osmose ARGS` with the builder's ledger command and ota's commands, as the CLI registers them. */
async function osmose(...args: string[]): Promise<string> {
  let out = '';
  const cli: CliContext = { cwd: () => root, stdout: (text) => (out += text), stderr: (text) => (out += text), env: {}, interactive: false, setExitCode: () => undefined };
  const program = new Command('osmose').exitOverride().configureOutput({ writeOut: cli.stdout, writeErr: cli.stderr });
  ledgerCommand(program, cli);
  registerOtaCommands(program, cli);
  await program.parseAsync(args, { from: 'user' });
  return out;
}

const spec: RolloutSpec = {
  id: 'r-feedbeef-1',
  build: 'feedbeef'.repeat(5),
  startedAt: '2025-03-03T22:00:00.000Z',
  ...parseRolloutOptions({ waves: '1,100%', maxFailures: '0' }),
  targets: [
    { board: 'lobby-door', space: 'ground/lobby', image: 'sha256:new', version: 3 },
    { board: 'meeting-1-mic', space: 'first/meeting-1', image: 'sha256:new', version: 3 },
  ],
};

async function recordRollout(): Promise<void> {
  const journal = await RolloutJournal.create(root, spec);
  let state = startRollout(spec);
  let clock = Date.parse(spec.startedAt);
  const feed = (input: object): string[] => {
    clock += 1000;
    const step = stepRollout(state, { ...input, at: new Date(clock).toISOString() } as RolloutInput);
    state = step.state;
    journal.record(step.events);
    return step.actions.map((action) => action.board);
  };
  feed({ kind: 'seen', board: 'lobby-door', online: true, image: 'sha256:old' });
  feed({ kind: 'seen', board: 'meeting-1-mic', online: true, image: 'sha256:old' });
  const [first] = feed({ kind: 'tick' });
  feed({ kind: 'progress', board: first, step: 'installed' });
  feed({ kind: 'progress', board: first, step: 'reverted', reason: 'self-test failed' });
  feed({ kind: 'progress', board: 'nobody', step: 'healthy' });
  await journal.close();
}

describe('osmose ledger rollouts', () => {
  it('lists the rollouts and how each ended', async () => {
    expect(await osmose('ledger', 'rollouts')).toBe('no rollouts yet: run `osmose rollout`\n');
    await recordRollout();
    expect(await osmose('ledger', 'rollouts')).toBe(
      'r-feedbeef-1  2025-03-03T22:00:00.000Z  build feedbeeffeed  halted  0 committed, 0 unchanged, 1 failed, 1 not updated, of 2  (1 failure, over the limit of 0)\n',
    );
    const json = JSON.parse(await osmose('ledger', 'rollouts', '--json')) as { rollout: string; status: string }[];
    expect(json.map((s) => [s.rollout, s.status])).toEqual([['r-feedbeef-1', 'halted']]);
  });

  it('tells what happened to a board when, and why it was reverted', async () => {
    await recordRollout();
    const mic = await osmose('ledger', 'rollouts', 'r-feedbeef-1', '--board', 'meeting-1-mic');
    const door = await osmose('ledger', 'rollouts', '--board', 'lobby-door');
    expect(mic.split('\n')[0]).toBe('2025-03-03T22:00:02.000Z  meeting-1-mic: online, running sha256:old');
    expect(door.split('\n')[0]).toBe('2025-03-03T22:00:01.000Z  r-feedbeef-1  lobby-door: online, running sha256:old');
    // Whichever of them was the canary: its revert and the reason for it.
    expect(`${mic}${door}`).toMatch(/: installed → reverted: self-test failed\n/);
    expect(await osmose('ledger', 'rollouts', '--board', 'attic-lamp')).toBe('no events for board attic-lamp\n');
    const all = await osmose('ledger', 'rollouts', 'r-feedbeef-1');
    expect(all.split('\n')[0]).toBe('2025-03-03T22:00:00.000Z  rollout r-feedbeef-1 started: build feedbeeffeed, 2 boards, 2 waves');
    expect(all).toContain('halted: 1 failure, over the limit of 0');
    expect(all).not.toContain('ignored');
    expect(await osmose('ledger', 'rollouts', 'r-feedbeef-1', '--all')).toContain('ignored {"kind":"progress","board":"nobody"');
    const events = JSON.parse(await osmose('ledger', 'rollouts', 'r-feedbeef-1', '--json')) as { event: { kind: string } }[];
    expect(events[0]?.event.kind).toBe('started');
  });

  it('sits beside the builder\'s ledger commands', async () => {
    let help = '';
    const cli: CliContext = { cwd: () => root, stdout: (text) => (help += text), stderr: (text) => (help += text), env: {}, interactive: false, setExitCode: () => undefined };
    const program = new Command('osmose').exitOverride().configureOutput({ writeOut: cli.stdout, writeErr: cli.stderr });
    ledgerCommand(program, cli);
    registerOtaCommands(program, cli);
    await expect(program.parseAsync(['ledger', '--help'], { from: 'user' })).rejects.toMatchObject({ code: 'commander.helpDisplayed' });
    expect(help).toContain('rollouts');
    expect(help).toContain('log');
  });
});
