import { InvalidArgumentError, type Command } from 'commander';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { privateKeysDir, tufRoles, type TufRole } from '../init/makeRoleKeys.js';
import { rootPassphrase, rootPassphraseVariable } from '../init/rootPassphrase.js';
import { findBuildingRoot } from '../model/findBuildingRoot.js';
import { askCurrentPassphrase } from '../trust/askCurrentPassphrase.js';
import { listRoleKeys } from '../trust/listRoleKeys.js';
import { identitiesRef } from '../trust/identitiesRef.js';
import { revokeBoard } from '../trust/revokeBoard.js';
import { retiredKeysDir, rotateRoleKeys } from '../trust/rotateRoleKeys.js';

export function keysCommand(program: Command, cli: CliContext): void {
  const keys = program.command('keys').description("the building's signing keys: TUF roles, thresholds, expiry, rotation; boards' identities (docs/security.md)");

  keys
    .command('list')
    .description('each role: its keys, threshold, metadata version and expiry, and where the private halves are')
    .option('--json', 'print the roles as JSON')
    .action(async (options: { json?: boolean }) => {
      const listing = await listRoleKeys(findBuildingRoot(cli.cwd()));
      if (options.json === true) {
        printJson(cli, listing);
        return;
      }
      const lines = [`root metadata version ${listing.root}`];
      for (const role of listing.roles) {
        const expiry = role.expires === null ? `not signed yet (each build signs it for ${role.lifetimeDays} day${role.lifetimeDays === 1 ? '' : 's'})` : `version ${role.version ?? '?'}, expires ${role.expires}`;
        lines.push(`${role.role.padEnd(10)} ${role.threshold} of ${role.keys.length} key${role.keys.length === 1 ? '' : 's'}; ${expiry}`);
        for (const key of role.keys) lines.push(`  ${key.keyid}  ${key.private === null ? 'private half not here (kept elsewhere)' : `${key.private}${key.encrypted ? ' (encrypted)' : ''}`}`);
      }
      cli.stdout(`${lines.join('\n')}\n`);
    });

  keys
    .command('rotate')
    .argument('<role>', `the role whose keys to replace: ${tufRoles.join(', ')}`, roleName)
    .description('replace a role\'s keys with new ones, named in a new root version signed by the old root keys (and the new ones, for root)')
    .option('--keys <n>', 'how many keys the role gets (default: as many as now)', positiveInteger)
    .option('--threshold <n>', 'how many of them must sign (default: as now)', positiveInteger)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Signing the new root needs the root passphrase, from ${rootPassphraseVariable} or the terminal. The
replaced private keys move to ${retiredKeysDir}/. Commit keys/ and run osmose build: the build
signs with the new keys, and a board takes them when it installs that build.`,
    )
    .action(async (role: TufRole, options: { keys?: number; threshold?: number; json?: boolean }, command: Command) => {
      if (options.keys !== undefined && options.threshold !== undefined && options.threshold > options.keys) {
        command.error(`error: --threshold ${options.threshold} is more than the ${options.keys} keys`, { exitCode: 2, code: 'keys.usage' });
      }
      const root = findBuildingRoot(cli.cwd());
      const passphrase = await rootPassphrase({ env: cli.env, interactive: cli.interactive, ask: askCurrentPassphrase });
      const result = await rotateRoleKeys(root, { role, keys: options.keys, threshold: options.threshold, passphrase });
      if (options.json === true) {
        printJson(cli, { ok: true, ...result });
        return;
      }
      cli.stdout(
        [
          `${role}: ${result.keys.length} new key${result.keys.length === 1 ? '' : 's'}, ${result.threshold} of ${result.keys.length} must sign; root metadata version ${result.to} (was ${result.from}), signed by ${role === 'root' ? 'the old and the new root keys' : 'the root keys'}`,
          ...result.keys.map((key) => `  ${key.keyid}  ${key.private}`),
          ...(result.retired.length > 0 ? [`  retired: ${result.retired.join(', ')} (delete them once every board runs a build signed under root ${result.to})`] : []),
          `next: commit keys/ (${result.written.join(', ')}) and run osmose build; private keys stay in ${privateKeysDir}/`,
          '',
        ].join('\n'),
      );
    });

  keys
    .command('revoke-board')
    .argument('<board>', 'a board whose identity key is recorded (it has been imaged)')
    .description("refuse a board at the gateway from now on: records revoked in its boards/BOARD.json on refs/osmose/identities")
    .option('--reason <text>', 'why, kept in the record and shown when the gateway refuses the board')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
The gateway refuses a revoked board, whatever certificate it shows, from its next reading of
${identitiesRef}; osmose image refuses to image it with the same key. To give the board a new identity,
move ${privateKeysDir}/boards/BOARD.pem away and image it again (docs/security.md).`,
    )
    .action(async (board: string, options: { reason?: string; json?: boolean }) => {
      const result = await revokeBoard(findBuildingRoot(cli.cwd()), board, { reason: options.reason });
      if (options.json === true) {
        printJson(cli, { ok: true, ...result });
        return;
      }
      cli.stdout(
        result.already
          ? `${board}: already revoked at ${result.revoked.at} (${result.revoked.reason}); nothing changed\n`
          : `${board}: revoked (identity key ${result.keyid.slice(0, 12)}, reason: ${result.revoked.reason}) in commit ${result.commit?.slice(0, 12) ?? ''} on ${identitiesRef}\n`,
      );
    });
}

function roleName(value: string): TufRole {
  if (!(tufRoles as readonly string[]).includes(value)) throw new InvalidArgumentError(`Give one of ${tufRoles.join(', ')}.`);
  return value as TufRole;
}

function positiveInteger(value: string): number {
  if (!/^[1-9][0-9]?$/.test(value)) throw new InvalidArgumentError('Give a whole number from 1 to 99.');
  return Number(value);
}
