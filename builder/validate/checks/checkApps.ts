import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { didYouMean } from '../../../lib/didYouMean.js';
import { list, placeableBoardsWithin, record, text, texts } from '../../model/indexBuilding.js';
import { bindNeed, placeApp, type Placement } from '../../model/placeApp.js';
import { selectorSchema } from '../../model/selectorSchema.js';
import type { ValidationIssue } from '../ValidationIssue.js';
import { issueAt, listSome, type CheckContext } from './CheckContext.js';
import { checkSelector, readSelector } from './checkSelector.js';

/**
 * Each app has its source folder, is placed somewhere, and every device it needs can be
 * bound in every place it runs.
 */
export async function checkApps(ctx: CheckContext): Promise<ValidationIssue[]> {
  const issues: ValidationIssue[] = [];
  const apps = list(record(ctx.building.data)['apps']);
  const aliases = [...new Set(ctx.index.devices.map((device) => device.alias))];

  for (const [app, i] of apps) {
    const name = text(app['name']) || `apps[${i}]`;
    issues.push(...(await checkSource(ctx, name, text(app['source']), i)));

    if (app['place'] === undefined) continue; // a missing place was reported by the node checks
    const selector = readSelector(app['place']);
    const selectorIssues = checkSelector(selector, ctx.index, ctx.building, ['apps', i, 'place']);
    issues.push(...selectorIssues);
    // A selector the node checks refused (empty, kind with ids, not a mapping) places nothing
    // meaningful: saying the app is placed nowhere, or binding its needs, would only add noise.
    if (selectorIssues.length > 0 || !selectorSchema.safeParse(app['place']).success) continue;

    const placements = placeApp(selector, ctx.index);
    if (placements.length === 0) {
      issues.push(
        issueAt(ctx.building, ['apps', i, 'place'], {
          code: 'place.empty',
          message: `app "${name}" is placed nowhere: no space or board matches its place`,
          hint: 'widen the selector (a kind, ids, or devices in has that boards really carry), or remove the app',
        }),
      );
      continue;
    }
    const boardless = placements.filter((p) => p.host === undefined && placeableBoardsWithin(p.scope).length === 0).map((p) => p.scope.id);
    if (boardless.length > 0) {
      issues.push(
        issueAt(ctx.building, ['apps', i, 'place'], {
          code: 'place.no-board',
          message: `app "${name}" is placed in ${listSome(boardless)}, which ${boardless.length === 1 ? 'has' : 'have'} no board to run it`,
          hint: 'add a board to each of those spaces, or narrow the app\'s place',
        }),
      );
    }

    texts(app['needs']).forEach((alias, n) => {
      const path = ['apps', i, 'needs', n];
      if (!aliases.includes(alias)) {
        const guess = didYouMean(alias, aliases);
        issues.push(
          issueAt(ctx.building, path, {
            code: 'needs.unknown',
            message: `app "${name}" needs "${alias}", but no board in the building has a device called that`,
            hint: guess === undefined ? `add a "${alias}" device to the boards where ${name} runs` : `did you mean "${guess}"?`,
          }),
        );
        return;
      }
      const missing: Placement[] = [];
      const ambiguous: string[] = [];
      for (const placement of placements) {
        const binding = bindNeed(alias, placement);
        if (binding.kind === 'missing') missing.push(placement);
        else if (binding.kind === 'ambiguous') {
          ambiguous.push(`${placement.scope.id} (${binding.devices.map((d) => d.board.id).join(', ')})`);
        }
      }
      if (missing.length > 0) {
        const spaces = missing.map((p) => (p.host === undefined ? p.scope.id : `${p.host.id} in ${p.scope.id}`));
        issues.push(
          issueAt(ctx.building, path, {
            code: 'needs.unbound',
            message: `app "${name}" needs "${alias}", but nothing called "${alias}" is in ${listSome(spaces)}, where it is placed`,
            hint: `add a "${alias}" device to a board in ${missing.length === 1 ? 'that space' : 'each of those spaces'}, or narrow the app's place`,
          }),
        );
      }
      if (ambiguous.length > 0) {
        issues.push(
          issueAt(ctx.building, path, {
            code: 'needs.ambiguous',
            message: `app "${name}" needs one "${alias}", but several boards have one in ${listSome(ambiguous)}`,
            hint: `give the devices distinct aliases, or place the app with has: [${alias}] so each board binds its own`,
          }),
        );
      }
    });
  }
  return issues;
}

async function checkSource(ctx: CheckContext, name: string, source: string, i: number): Promise<ValidationIssue[]> {
  if (source === '') return [];
  const folder = resolve(ctx.root, source);
  const rel = relative(ctx.root, folder);
  // `..foo` is a folder inside the repository; only `..` itself or `../…` leave it.
  const escapes = isAbsolute(source) || rel === '..' || rel.startsWith(`..${sep}`);
  if (escapes) {
    return [
      issueAt(ctx.building, ['apps', i, 'source'], {
        code: 'app.source-outside',
        message: `the source of app "${name}" (${source}) is outside the building repository`,
        hint: 'keep app sources inside the repository (apps/NAME), so every build is recorded with them',
      }),
    ];
  }
  const info = await stat(folder).catch(() => undefined);
  if (info?.isDirectory() === true) return [];
  return [
    issueAt(ctx.building, ['apps', i, 'source'], {
      code: 'app.source-missing',
      message: info === undefined ? `the source folder of app "${name}" (${source}) does not exist` : `the source of app "${name}" (${source}) is a file, not a folder`,
      hint: `create ${source}/ with the app's index.ts, or point source at the folder that holds it`,
    }),
  ];
}
