import { boardsById } from '../../../boards/boardsById.js';
import { gpioLineNames } from '../../../boards/BoardSpec.js';
import { driverSpecsByName } from '../../../drivers/driverSpecs.js';
import type { ResourceClaim } from '../../../drivers/DriverSpec.js';
import { didYouMean } from '../../../lib/didYouMean.js';
import type { ValidationIssue } from '../ValidationIssue.js';
import { issueAt, listSome, type CheckContext } from './CheckContext.js';

/**
 * Each device fits its board: the board offers the feature its driver needs, the pins and
 * ports it names exist on that board, and no two devices on a board claim the same one.
 */
export function checkDevices(ctx: CheckContext): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const board of ctx.index.boards) {
    const spec = boardsById.get(board.type);
    if (spec === undefined) continue; // an unknown board type was reported by the node checks
    const lines = gpioLineNames(spec);
    const ports = Object.keys(spec.serial);
    const claimed = new Map<string, { alias: string }>();
    for (const device of board.devices) {
      const driver = driverSpecsByName.get(device.driver);
      if (driver === undefined) continue;
      if (!spec.supports.includes(driver.requires)) {
        issues.push(
          issueAt(ctx.building, [...device.path, 'driver'], {
            code: 'device.unsupported',
            message: `${spec.id} boards have no ${driver.requires} support, which the ${driver.name} driver of "${device.alias}" needs`,
            hint: `move "${device.alias}" to a board that supports ${driver.requires}, or make ${board.id} a board type that does (${boardTypesWith(driver.requires)})`,
          }),
        );
        continue;
      }
      for (const claim of driver.claims) {
        const name = device.settings[claim.field];
        if (typeof name !== 'string') continue; // a missing or mistyped field was reported by the node checks
        const path = [...device.path, claim.field];
        const known = claim.kind === 'gpio-line' ? lines : ports;
        if (!known.includes(name)) {
          const guess = didYouMean(name, known);
          issues.push(
            issueAt(ctx.building, path, {
              code: claim.kind === 'gpio-line' ? 'pin.unknown' : 'serial.unknown-port',
              message: `${spec.id} has no ${noun(claim)} called ${name}`,
              hint: `${guess === undefined ? '' : `did you mean ${guess}? `}${spec.id} has ${listSome(known, 8)}`,
            }),
          );
          continue;
        }
        const key = `${claim.kind}:${name}`;
        const holder = claimed.get(key);
        if (holder === undefined) {
          claimed.set(key, { alias: device.alias });
          continue;
        }
        issues.push(
          issueAt(ctx.building, path, {
            code: claim.kind === 'gpio-line' ? 'pin.duplicate' : 'serial.duplicate',
            message: `${name} is already used by ${holder.alias} on ${board.id}`,
            hint: `give ${device.alias} another ${noun(claim)}`,
          }),
        );
      }
    }
  }
  return issues;
}

function noun(claim: ResourceClaim): string {
  return claim.kind === 'gpio-line' ? 'GPIO line' : 'serial port';
}

function boardTypesWith(feature: string): string {
  return [...boardsById.values()].filter((b) => (b.supports as readonly string[]).includes(feature)).map((b) => b.id).join(', ');
}
