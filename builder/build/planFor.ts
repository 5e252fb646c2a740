import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { osmoseVersion } from '../../lib/osmoseVersion.js';
import type { ArtifactCache } from '../cache/ArtifactCache.js';
import { inputKey, sha256 } from '../cache/inputKey.js';
import type { BuildPlan } from '../plan/BuildPlan.js';
import type { DownBoard } from '../plan/PlanSchedule.js';
import { planBuilding } from '../plan/planBuilding.js';
import { validateBuilding, type Building } from '../validate/validateBuilding.js';
import type { ValidationIssue } from '../validate/ValidationIssue.js';
import type { SourceSnapshot } from './snapshotSources.js';

export type PlanOutcome =
  | { readonly ok: true; readonly plan: BuildPlan; readonly building: Building | undefined }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/**
 * The plan for the sources in `snapshot`. Validation and planning read only building.yaml,
 * the policies file and whether each app's folder exists, so their result is cached under a
 * key of exactly those (and osmose's version): a build that changed only app code skips
 * both. `previous` (the last build's plan) says which files those were; without it, or on a
 * miss, the building is validated and planned, and the result cached for next time. `down`
 * (the schedule's boards out of service) is part of the key: the same building with another
 * board down is another plan.
 */
export async function planFor(root: string, snapshot: SourceSnapshot, cache: ArtifactCache, previous: BuildPlan | undefined, down: readonly DownBoard[] = []): Promise<PlanOutcome> {
  if (previous !== undefined) {
    const held = await cache.get(planKey(root, snapshot, previous, down));
    if (held !== undefined) return { ok: true, plan: JSON.parse(new TextDecoder().decode(held)) as BuildPlan, building: undefined };
  }
  const validation = await validateBuilding(root);
  if (!validation.ok) return { ok: false, issues: validation.issues };
  const plan = planBuilding(validation.building, { down });
  await cache.put(planKey(root, snapshot, plan, down), new TextEncoder().encode(JSON.stringify(plan)));
  return { ok: true, plan, building: validation.building };
}

function planKey(root: string, snapshot: SourceSnapshot, plan: BuildPlan, down: readonly DownBoard[]): string {
  const digest = (path: string): string => {
    const bytes = snapshot.files.get(path);
    return bytes === undefined ? 'absent' : sha256(bytes);
  };
  const folders = plan.apps.map((app) => {
    const folder = join(root, app.source);
    return `${app.source}:${existsSync(folder) && statSync(folder).isDirectory() ? 'folder' : 'absent'}`;
  });
  return inputKey({ kind: 'plan', osmose: osmoseVersion, building: digest('building.yaml'), policies: `${plan.policies.file}:${digest(plan.policies.file)}`, apps: folders.join('\n'), schedule: sha256(JSON.stringify(down)) });
}
