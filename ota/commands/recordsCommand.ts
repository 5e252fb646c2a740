import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { encodeWav } from '../../drivers/index.js';
import { simBoardsDir } from '../../image/sim/SimBuilding.js';
import { listEpochs, openEpoch, type EpochEntry } from '../../kernel-js/record/index.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { InputError } from '../../lib/OsmoseError.js';
import { PeopleRegister } from '../people/PeopleRegister.js';
import type { Credential } from '../people/PersonRecord.js';

/** One key epoch as `osmose records` shows it: its members by pseudonym, never by key. */
export interface RecordSummary {
  readonly board: string;
  readonly device: string;
  readonly epoch: string;
  readonly fragment: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly endReason: string | null;
  readonly expiresAt: string | null;
  readonly disclose: string | null;
  /** Pseudonyms of the members, in seat order; `unknown` for a key the register does not hold. */
  readonly members: readonly string[];
  readonly erased: number;
  readonly seconds: number;
  /** The microphone channels whose voice activity is kept, counted from 1. */
  readonly activityChannels: readonly number[];
}

/**
 * `osmose records` lists the recordings kept in the simulated boards' enclaves, epoch by
 * epoch, with who was present; `osmose records open EPOCH --as PSEUDONYM --badge ID` reads one
 * as that participant (their key, opened by the building's enclave only for their own badge or
 * password), writing the audio as WAV and printing the voice activity of each seat. A simulated
 * board's storage is on this machine, so this reads it directly; a real board's stays on the
 * board (docs/recording.md).
 */
export function registerRecordsCommand(program: Command, cli: CliContext): void {
  const records = program
    .command('records')
    .description("list the recordings kept in the simulated boards' enclaves, one key epoch a line, with who was present")
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const summaries = await summariseAll(root);
      if (options.json === true) return printJson(cli, { records: summaries });
      if (summaries.length === 0) cli.stdout('no recordings are kept\n');
      for (const r of summaries) {
        const state = r.endedAt === null ? 'recording' : `ended (${r.endReason ?? '?'})`;
        cli.stdout(
          `${r.epoch}  ${r.board}.${r.device}  ${r.startedAt}  ${r.seconds.toFixed(1)} s  ${state}  for ${r.members.join(', ') || 'nobody'}` +
            `${r.erased > 0 ? `  (+${r.erased} erased)` : ''}  voice activity on ${r.activityChannels.length} channel${r.activityChannels.length === 1 ? '' : 's'}` +
            `${r.expiresAt === null ? '' : `  expires ${r.expiresAt}`}\n`,
        );
      }
    });

  records
    .command('open')
    .argument('<epoch>', 'an epoch id as osmose records lists it')
    .description('read one recording as one of its participants: its audio as WAV, and the voice activity of each seat')
    .requiredOption('--as <pseudonym>', 'the participant reading it')
    .option('--badge <id>', "the participant's badge, as shown at the entrance")
    .option('--password <password>', "or the participant's password")
    .option('--out <file.wav>', 'where to write the audio')
    .option('--json', 'print JSON')
    .action(async (epoch: string, options: { as: string; badge?: string; password?: string; out?: string; json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const credential = credentialOf(options);
      const entry = (await allEpochs(root)).find((candidate) => candidate.entry.manifest.epoch === epoch);
      if (entry === undefined) throw new InputError('records.unknown-epoch', `no recording kept has the epoch ${epoch}`, { hint: 'osmose records lists the epochs kept (expired and erased ones are gone)', data: { epoch } });
      const register = await PeopleRegister.open(root);
      let opened;
      try {
        opened = await openEpoch(entry.entry.dir, await register.privateKeyOf(options.as, credential));
      } finally {
        register.close();
      }
      const { manifest } = opened;
      const channels = manifest.channels ?? 1;
      const seconds = opened.pcm.length / channels / (manifest.rate ?? 16_000);
      if (options.out !== undefined) await writeFile(resolve(cli.cwd(), options.out), encodeWav({ rate: manifest.rate ?? 16_000, channels, samples: opened.pcm }));
      // Seats and channels are counted from 1 here, as people count them (the manifest counts from 0).
      const activity = opened.activity.map((a) => ({ channel: a.channel + 1, seat: a.seat === null ? null : a.seat + 1, speechMs: a.segments.reduce((sum, [from, to]) => sum + (to - from), 0), segments: a.segments }));
      if (options.json === true) return printJson(cli, { epoch, as: options.as, seconds, samples: opened.pcm.length, activity, out: options.out ?? null });
      cli.stdout(`${epoch}: ${options.as} opened ${seconds.toFixed(2)} s of ${channels}-channel audio${options.out === undefined ? '' : `, written to ${options.out}`}\n`);
      for (const a of activity) cli.stdout(`  seat ${a.seat ?? '-'} (channel ${a.channel}): ${a.segments.length} segment${a.segments.length === 1 ? '' : 's'} of speech, ${(a.speechMs / 1000).toFixed(2)} s\n`);
    });
}

function credentialOf(options: { badge?: string; password?: string }): Credential {
  if ((options.badge === undefined) === (options.password === undefined)) {
    throw new InputError('records.bad-credential', 'a participant shows their badge or their password: give exactly one of --badge and --password', { hint: 'osmose records open EPOCH --as p-xxxxxxxx --badge ID', data: {} });
  }
  return options.badge !== undefined ? { badge: options.badge } : { password: options.password ?? '' };
}

async function allEpochs(root: string): Promise<{ board: string; entry: EpochEntry }[]> {
  const boards = simBoardsDir(root);
  let ids: string[];
  try {
    ids = readdirSync(boards).sort();
  } catch {
    return [];
  }
  const found = await Promise.all(ids.map(async (board) => (await listEpochs(join(boards, board, 'data'))).map((entry) => ({ board, entry }))));
  return found.flat().sort((a, b) => a.entry.manifest.startedAt.localeCompare(b.entry.manifest.startedAt));
}

async function summariseAll(root: string): Promise<RecordSummary[]> {
  const register = await PeopleRegister.open(root);
  let people;
  try {
    people = new Map((await register.list()).map((person) => [person.publicKey, person.pseudonym]));
  } finally {
    register.close();
  }
  return (await allEpochs(root)).map(({ board, entry: { manifest } }) => ({
    board,
    device: manifest.device,
    epoch: manifest.epoch,
    fragment: manifest.fragment,
    startedAt: manifest.startedAt,
    endedAt: manifest.endedAt,
    endReason: manifest.endReason,
    expiresAt: manifest.endedAt === null || manifest.retainMs === null ? null : new Date(Date.parse(manifest.endedAt) + manifest.retainMs).toISOString(),
    disclose: manifest.disclose,
    members: manifest.members.map((member) => people.get(member.publicKey) ?? 'unknown'),
    erased: manifest.erased,
    seconds: manifest.bytes / 2 / (manifest.channels ?? 1) / (manifest.rate ?? 16_000),
    activityChannels: manifest.activity.map((channel) => channel + 1),
  }));
}
