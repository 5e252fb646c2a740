import type { Command } from 'commander';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { ledgerHistory } from '../ledger/ledgerHistory.js';
import { showBoard } from '../ledger/showBoard.js';
import { findBuildingRoot } from '../model/findBuildingRoot.js';

export function ledgerCommand(program: Command, cli: CliContext): void {
  const ledger = program.command('ledger').description('read the build ledger (refs/osmose/builds): what was built, and what each board runs');

  ledger
    .command('log')
    .description('the builds, newest first')
    .option('-n, --max-count <n>', 'show at most <n> builds', (value) => Number.parseInt(value, 10))
    .option('--json', 'print the builds as JSON')
    .action(async (options: { json?: boolean; maxCount?: number }) => {
      const root = findBuildingRoot(cli.cwd());
      const entries = await ledgerHistory(root, options.maxCount);
      if (options.json === true) {
        printJson(cli, entries);
        return;
      }
      if (entries.length === 0) cli.stdout('no builds yet: run `osmose build`\n');
      for (const entry of entries) {
        const r = entry.record;
        const source = r?.source.commit == null ? 'no source commit' : `source ${r.source.commit.slice(0, 12)}${r.source.uncommitted.length > 0 ? ` +${r.source.uncommitted.length} uncommitted` : ''}`;
        const counts = r === undefined ? '' : `, ${r.changed.length}/${r.boards} boards changed, ${r.compiles} compiled`;
        cli.stdout(`${entry.commit.slice(0, 12)}  ${new Date(entry.time * 1000).toISOString()}  ${source}${counts}\n`);
      }
    });

  ledger
    .command('show')
    .argument('<board>', 'a board id from building.yaml')
    .description('what a board runs: image, modules, source commit, toolchain, and since when')
    .option('--at <build>', 'read an older build (a commit from `osmose ledger log`)')
    .option('--json', 'print the manifest and configuration as JSON')
    .action(async (board: string, options: { json?: boolean; at?: string }) => {
      const root = findBuildingRoot(cli.cwd());
      const shown = await showBoard(root, board, options.at);
      if (options.json === true) {
        printJson(cli, shown);
        return;
      }
      const { manifest: m, config: c } = shown;
      const lines = [
        `board ${m.board} (${m.type}) in ${c.board.space.join(' / ')}`,
        `  image      ${m.image}`,
        `  config     sha256:${m.config}`,
        `  signed by  targets key ${shown.signedBy.map((id) => id.slice(0, 16)).join(', ')}`,
        `  built from ${m.source.commit === null ? 'no commit' : `commit ${m.source.commit}`}${m.source.uncommitted.length > 0 ? ` + uncommitted ${m.source.uncommitted.join(', ')}` : ''}`,
        `  since      ledger build ${shown.since.commit.slice(0, 12)} (${new Date(shown.since.time * 1000).toISOString()})`,
        `  toolchain  assemblyscript ${m.toolchain.assemblyscript}, abi ${m.toolchain.abi}, sdk sha256:${m.toolchain.sdk.slice(0, 16)}…, flags ${m.toolchain.flags.join(' ')}`,
        ...m.modules.map((module) => `  module     ${module.app}: wasm sha256:${module.wasm.slice(0, 16)}… (${module.bytes} bytes), source ${module.source.slice(0, 16)}…`),
        ...c.fragments.map((f) => `  runs       ${f.instance}: ${Object.entries(f.bindings).map(([need, b]) => `${need}→${b.board}.${b.device}`).join(', ') || 'no devices'}; may use ${f.capabilities.join(', ')}`),
      ];
      cli.stdout(`${lines.join('\n')}\n`);
    });
}
