import type { Command } from 'commander';
import { readJson } from '../../builder/ledger/ledgerHistory.js';
import { ledgerLayout } from '../../builder/ledger/ledgerLayout.js';
import { readLedgerTree } from '../../builder/ledger/readLedgerTree.js';
import type { BuildPlan } from '../../builder/plan/BuildPlan.js';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import type { Admission } from '../../kernel-js/net/gatewayTypes.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { describeAdmission } from './describeAdmission.js';
import { InputError } from '../../lib/OsmoseError.js';
import { measureLatencies, summarise, type LatencySample } from '../sim/measureLatencies.js';
import { renderTimeline, type TimelinePeer } from '../sim/renderTimeline.js';
import { replyJson, simRequest } from '../sim/simControlClient.js';
import { simControlSocket } from '../sim/simControlServer.js';
import type { JournalEntry } from '../sim/SimJournal.js';

/**
 * The commands that tell a story in a running simulated building and show what happened:
 * `osmose sim badge` (someone shows a badge to a board: the entrance board admits them),
 * `osmose sim talk` (someone speaks at a seat of a microphone array), `osmose sim note` (a line
 * in the journal) and `osmose sim timeline` (the journal, timed, with the latencies it measured
 * and where the building's sockets went).
 */
export function registerSimStoryCommands(sim: Command, cli: CliContext): void {
  const socket = (): string => simControlSocket(findBuildingRoot(cli.cwd()));

  sim
    .command('badge')
    .argument('<board>', 'the board it is shown to: the entrance door board, such as entrance-door')
    .argument('<id>', 'the badge id (the register keeps only a keyed digest of it)')
    .description("someone shows a badge to a board; the entrance board has the gateway admit them (a pseudonym, a key pair, the visit starts at the entrance)")
    .option('--password', 'the credential is a password given at the board, not a badge id')
    .option('--to <space>', 'where they are headed: that room is prepared before they get there')
    .option('--prefer <name=value>', 'a preference that follows them, such as temperature=22.5 (°C); repeatable', (value: string, list: string[]) => [...list, value], [])
    .option('--json', 'print the admission as JSON')
    .action(async (board: string, id: string, options: { password?: boolean; to?: string; prefer: string[]; json?: boolean }) => {
      const preferences = preferenceOptions(options.prefer);
      const admission = replyJson<Admission>(
        await simRequest(socket(), 'POST', `/boards/${encodeURIComponent(board)}/badge`, {
          ...(options.password === true ? { password: id } : { badge: id }),
          ...(options.to === undefined ? {} : { to: options.to }),
          ...(preferences === undefined ? {} : { preferences }),
        }),
      );
      if (options.json === true) return printJson(cli, admission);
      cli.stdout(`${describeAdmission(admission)}\n`);
    });

  sim
    .command('talk')
    .argument('<board.device>', 'a microphone, such as meeting-1-ceiling.mic')
    .description('someone talks at one seat of a microphone array (a voice-like signal on that channel)')
    .option('--channel <n>', 'the channel nearest to the talker, 1 for the first', '1')
    .option('--seconds <s>', 'how long they talk', '1')
    .action(async (target: string, options: { channel: string; seconds: string }) => {
      const [board, device] = splitTarget(target);
      const reply = replyJson<{ heard: boolean }>(
        await simRequest(socket(), 'POST', `/devices/${encodeURIComponent(board)}/${encodeURIComponent(device)}/talk`, { channel: Number(options.channel), seconds: Number(options.seconds) }),
      );
      cli.stdout(reply.heard ? `${target}: ${options.seconds} s of talk on channel ${options.channel}\n` : `${target} is not capturing: nobody heard it\n`);
    });

  sim
    .command('note')
    .argument('<text...>', 'what to write')
    .description("write a line in the running simulator's journal (it shows in osmose sim timeline)")
    .action(async (words: string[]) => {
      await simRequest(socket(), 'POST', '/journal', { text: words.join(' ') });
    });

  sim
    .command('timeline')
    .description('what happened in the running simulator, timed, with the latencies measured and every peer host its sockets had')
    .option('--since <seq>', 'only the entries after this one', '0')
    .option('--json', 'print JSON')
    .action(async (options: { since: string; json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const journal = replyJson<{ entries: JournalEntry[]; peers: TimelinePeer[] }>(await simRequest(socket(), 'GET', `/journal?since=${encodeURIComponent(options.since)}`));
      const spaces = await boardSpaces(root);
      const latencies = measureLatencies(journal.entries, (board) => spaces.get(board));
      if (options.json === true) {
        const figures = Object.fromEntries(Object.entries(latencies).map(([name, samples]: [string, readonly LatencySample[]]) => [name, { summary: summarise(samples) ?? null, samples }]));
        return printJson(cli, { entries: journal.entries, latencies: figures, peers: journal.peers, outside: journal.peers.filter((peer) => !peer.loopback) });
      }
      cli.stdout(renderTimeline(journal.entries, latencies, journal.peers));
    });
}

/** Each board of the latest build's plan → the innermost space that holds it. */
async function boardSpaces(root: string): Promise<Map<string, string>> {
  const tree = await readLedgerTree(root);
  const plan = tree === undefined ? undefined : await readJson<BuildPlan>(root, tree.commit, ledgerLayout.plan);
  return new Map(plan?.boards.map((board) => [board.id, board.space.at(-1) ?? '']) ?? []);
}

/** `--prefer temperature=22.5`, repeatable: the preferences to send, undefined for none (the gateway checks the range). */
function preferenceOptions(options: readonly string[]): { temperature: number } | undefined {
  let temperature: number | undefined;
  for (const option of options) {
    const match = /^temperature=(.+)$/.exec(option.trim());
    const value = Number(match?.[1]);
    if (match === null || match[1]?.trim() === '' || !Number.isFinite(value)) {
      throw new InputError('sim.bad-preferences', `--prefer ${option}: the only preference is temperature, in °C`, { hint: '--prefer temperature=22.5', data: { option } });
    }
    temperature = value;
  }
  return temperature === undefined ? undefined : { temperature };
}

function splitTarget(target: string): [string, string] {
  const dot = target.indexOf('.');
  if (dot <= 0 || dot === target.length - 1) throw new InputError('sim.bad-target', `${target} is not BOARD.DEVICE`, { hint: 'name a device as board id, a dot, and the device: meeting-1-ceiling.mic', data: { target } });
  return [target.slice(0, dot), target.slice(dot + 1)];
}
