import { join } from 'node:path';
import * as z from 'zod';
import { InputError } from '../../lib/OsmoseError.js';
import { buildingSchema, type BuildingInput } from '../model/buildingSchema.js';
import { indexBuilding, type BuildingIndex } from '../model/indexBuilding.js';
import { policiesSchema, type PoliciesInput } from '../model/policiesSchema.js';
import type { PathSegment } from '../model/formatPath.js';
import { checkApps } from './checks/checkApps.js';
import { issueAt, type CheckContext } from './checks/CheckContext.js';
import { checkDevices } from './checks/checkDevices.js';
import { checkIds } from './checks/checkIds.js';
import { checkPolicies } from './checks/checkPolicies.js';
import { checkAgainstSchema } from './schemaIssues.js';
import { readSourceFile, type SourceFile } from './SourceFile.js';
import { sortIssues, type ValidationIssue } from './ValidationIssue.js';

export const buildingFileName = 'building.yaml';

/** A building description that passed validation. */
export interface Building {
  /** Absolute path of the folder holding building.yaml. */
  readonly root: string;
  readonly spec: BuildingInput;
  /** The policies, inline or from their file, with the default filled in. */
  readonly policies: { readonly default: NonNullable<PoliciesInput['default']>; readonly rules: NonNullable<PoliciesInput['rules']> };
  /** Where the policies came from, relative to the root. */
  readonly policiesFile: string;
  readonly index: BuildingIndex;
}

export type ValidationResult =
  | { readonly ok: true; readonly building: Building; readonly issues: readonly [] }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

// The building's own fields are checked here; `policies` is checked by its own schema, in
// whichever file holds it, so its problems point into that file.
const buildingShapeSchema = buildingSchema.extend({ policies: z.unknown().optional() });

/**
 * Validates the building in `root`, in two passes: each node against the format, then the
 * building as a whole (ids, pins, placements, bindings, policy references). Every problem
 * found is returned, sorted by file and position; nothing is thrown for bad input.
 */
export async function validateBuilding(root: string): Promise<ValidationResult> {
  const read = await readSourceFile(join(root, buildingFileName), buildingFileName);
  if (!read.ok) return { ok: false, issues: sortIssues(read.issues) };
  const building = read.source;

  const issues: ValidationIssue[] = [];
  const shape = checkAgainstSchema(buildingShapeSchema, building);
  issues.push(...shape.issues);

  const policies = await readPolicies(root, building);
  issues.push(...policies.issues);

  const index = indexBuilding(building.data);
  const ctx: CheckContext = {
    root,
    building,
    index,
    policies: policies.source,
    policiesAt: policies.at,
  };
  issues.push(...checkIds(ctx), ...checkDevices(ctx), ...(await checkApps(ctx)), ...checkPolicies(ctx));

  if (issues.length > 0 || shape.value === undefined) return { ok: false, issues: sortIssues(issues) };
  const value = policies.value ?? {};
  return {
    ok: true,
    issues: [],
    building: {
      root,
      spec: { ...shape.value, policies: value },
      policies: { default: value.default ?? 'deny', rules: value.rules ?? [] },
      policiesFile: policies.source?.name ?? buildingFileName,
      index,
    },
  };
}

/** Like validateBuilding, but throws an InputError (`building.invalid`) carrying the issues. */
export async function loadBuilding(root: string): Promise<Building> {
  const result = await validateBuilding(root);
  if (result.ok) return result.building;
  throw new InputError('building.invalid', `${buildingFileName} has ${result.issues.length} problem(s)`, {
    hint: 'run `osmose validate` to see them',
    data: { issues: result.issues },
  });
}

async function readPolicies(
  root: string,
  building: SourceFile,
): Promise<{ source?: SourceFile; at: PathSegment[]; value?: PoliciesInput; issues: ValidationIssue[] }> {
  const raw = (building.data as Record<string, unknown> | null)?.['policies'];
  if (raw === undefined || raw === null || typeof building.data !== 'object') return { at: [], value: {}, issues: [] };
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    const checked = checkAgainstSchema(policiesSchema, building, ['policies']);
    return { source: building, at: ['policies'], ...(checked.value === undefined ? {} : { value: checked.value }), issues: checked.issues };
  }
  if (typeof raw !== 'string' || !/\.ya?ml$/.test(raw) || raw.includes('..') || raw.startsWith('/')) {
    return {
      at: [],
      issues: [
        issueAt(building, ['policies'], {
          code: 'policy.bad-reference',
          message: `"policies" must be the policies themselves or the name of a YAML file beside building.yaml, not ${JSON.stringify(raw)}`,
          hint: 'write `policies: policies.yaml`, or `policies:` followed by default and rules',
        }),
      ],
    };
  }
  const file = await readSourceFile(join(root, raw), raw);
  if (!file.ok) {
    const missing = file.issues.some((issue) => issue.code === 'file.missing');
    if (missing) {
      return {
        at: [],
        issues: [
          issueAt(building, ['policies'], {
            code: 'policy.file-missing',
            message: `policies names ${raw}, which does not exist`,
            hint: `create ${raw} beside building.yaml (default: deny, rules: […]) or write the policies inline`,
          }),
        ],
      };
    }
    return { at: [], issues: file.issues };
  }
  const checked = checkAgainstSchema(policiesSchema, file.source);
  return { source: file.source, at: [], ...(checked.value === undefined ? {} : { value: checked.value }), issues: checked.issues };
}
