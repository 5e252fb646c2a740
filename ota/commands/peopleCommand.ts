import type { Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { describeAdmission } from '../../image/commands/describeAdmission.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { gatewayRequest } from '../gateway/gatewayRequest.js';
import type { Arrival, PersonListing } from '../gateway/peopleRoute.js';
import { parsePreferenceOptions } from '../people/parsePreferences.js';
import type { Preferences } from '../people/PersonRecord.js';
import { checkPseudonym } from '../people/pseudonym.js';

/**
 * `osmose people`: the building's front desk, through the running gateway. `admit` is what the
 * entrance does when a badge is shown (a pseudonym, a key pair, the visit starts at the
 * entrance), `move` and `leave` are the person walking, `list` is the register with where each
 * person is. The register lives on refs/osmose/people; where people are is never written down.
 */
export function registerPeopleCommand(program: Command, cli: CliContext): void {
  const people = program.command('people').description('admit people at the entrance, move them between spaces, let them leave, and list the register (needs a running gateway)');
  people
    .command('admit')
    .description('admit a person at the entrance by their badge: the same badge is the same pseudonym every time')
    .requiredOption('--badge <id>', 'the badge shown at the entrance (the register keeps only a keyed digest of it)')
    .option('--to <space>', 'where they are headed: that room is prepared before they get there')
    .option('--prefer <name=value>', 'a preference that follows them, such as temperature=21.5 (°C); repeatable', (value: string, list: string[]) => [...list, value], [])
    .option('--json', 'print the admission as JSON')
    .action(async (options: { badge: string; to?: string; prefer: string[]; json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const preferences = options.prefer.length === 0 ? undefined : parsePreferenceOptions(options.prefer);
      const arrival = await gatewayRequest<Arrival>(root, 'POST', '/people', { badge: options.badge, ...(preferences === undefined ? {} : { preferences }), ...(options.to === undefined ? {} : { to: options.to }) });
      if (options.json === true) return printJson(cli, arrival);
      cli.stdout(`${describeAdmission(arrival)}\n`);
    });
  people
    .command('move')
    .argument('<pseudonym>', 'someone inside, as osmose people list shows them')
    .argument('<space>', 'the space they walk into')
    .description('a person walks into another space')
    .option('--json', 'print the answer as JSON')
    .action(async (pseudonym: string, space: string, options: { json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const moved = await gatewayRequest<{ pseudonym: string; from: string; space: string; destination: string | null }>(root, 'POST', `/people/${encodeURIComponent(checkPseudonym(pseudonym))}/move`, { to: space });
      if (options.json === true) return printJson(cli, moved);
      cli.stdout(`${moved.pseudonym} walked from ${moved.from} to ${moved.space}${moved.destination === null ? '' : moved.destination === moved.space ? ' (their destination)' : `, on the way to ${moved.destination}`}\n`);
    });
  people
    .command('leave')
    .argument('<pseudonym>', 'someone inside')
    .description('a person leaves the building: every space and expectation, and their visit ends')
    .option('--json', 'print the answer as JSON')
    .action(async (pseudonym: string, options: { json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const left = await gatewayRequest<{ pseudonym: string; left: string }>(root, 'POST', `/people/${encodeURIComponent(checkPseudonym(pseudonym))}/leave`);
      if (options.json === true) return printJson(cli, left);
      cli.stdout(`${left.pseudonym} left the building from ${left.left}\n`);
    });
  people
    .command('list')
    .description('everyone in the register, and where each person is now')
    .option('--json', 'print { people } as JSON')
    .action(async (options: { json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const listing = await gatewayRequest<{ people: PersonListing[] }>(root, 'GET', '/people');
      if (options.json === true) return printJson(cli, listing);
      if (listing.people.length === 0) return cli.stdout('nobody has been admitted\n');
      for (const person of listing.people) {
        const where = person.where === null ? 'outside' : `in ${person.where}${person.destination === null || person.destination === person.where ? '' : `, headed for ${person.destination}`}`;
        cli.stdout(`${person.pseudonym}  ${where}${describePreferences(person.preferences)}; admitted ${person.admittedAt}\n`);
      }
    });
}

function describePreferences(preferences: Preferences): string {
  return preferences.temperature === undefined ? '' : `, prefers ${preferences.temperature} °C`;
}
