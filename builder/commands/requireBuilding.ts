import type { CliContext } from '../../lib/cli/CliContext.js';
import { InputError } from '../../lib/OsmoseError.js';
import { findBuildingRoot } from '../model/findBuildingRoot.js';
import { formatIssues } from '../validate/formatIssues.js';
import { validateBuilding, type Building } from '../validate/validateBuilding.js';

/**
 * The valid building that contains the command's directory. When it does not validate, its
 * problems are printed (in text mode; with `--json` they travel in the error's data) and the
 * command is refused, so every command that needs a building explains why it cannot run.
 */
export async function requireBuilding(cli: CliContext, json: boolean): Promise<Building> {
  const result = await validateBuilding(findBuildingRoot(cli.cwd()));
  if (result.ok) return result.building;
  if (!json) cli.stderr(`${formatIssues(result.issues)}\n`);
  const count = result.issues.length;
  throw new InputError('building.invalid', `building.yaml has ${count} problem${count === 1 ? '' : 's'}`, {
    hint: 'fix them and run the command again (`osmose validate` checks without doing anything else)',
    data: { issues: result.issues },
  });
}
