import { list, record, text } from '../../model/indexBuilding.js';
import { locate } from '../locate.js';
import type { ValidationIssue } from '../ValidationIssue.js';
import { issueAt, where, type CheckContext } from './CheckContext.js';

/** Space and board ids are unique across the building; app names are unique among apps. */
export function checkIds(ctx: CheckContext): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, { what: string; path: readonly (string | number)[] }>();
  const nodes = [
    ...ctx.index.spaces.map((node) => ({ id: node.id, what: `the ${node.kind || 'space'}`, path: node.path })),
    ...ctx.index.boards.map((node) => ({ id: node.id, what: 'the board', path: node.path })),
  ].sort((a, b) => compareDocumentOrder(ctx, a.path, b.path));
  for (const node of nodes) {
    if (node.id === '') continue;
    const first = seen.get(node.id);
    if (first === undefined) {
      seen.set(node.id, node);
      continue;
    }
    issues.push(
      issueAt(ctx.building, [...node.path, 'id'], {
        code: 'id.duplicate',
        message: `id "${node.id}" is already used by ${first.what} at ${where(ctx.building, [...first.path, 'id'])}`,
        hint: 'ids must be unique across the building (spaces and boards alike); rename one of them',
      }),
    );
  }

  const apps = new Map<string, number>();
  for (const [app, i] of list(record(ctx.building.data)['apps'])) {
    const name = text(app['name']);
    if (name === '') continue;
    const first = apps.get(name);
    if (first === undefined) apps.set(name, i);
    else {
      issues.push(
        issueAt(ctx.building, ['apps', i, 'name'], {
          code: 'app.duplicate',
          message: `app "${name}" is declared twice (first at ${where(ctx.building, ['apps', first, 'name'])})`,
          hint: 'give each app its own name, or merge the two entries',
        }),
      );
    }
  }
  return issues;
}

function compareDocumentOrder(ctx: CheckContext, a: readonly (string | number)[], b: readonly (string | number)[]): number {
  const pa = locate(ctx.building, a);
  const pb = locate(ctx.building, b);
  return pa.line - pb.line || pa.column - pb.column;
}
