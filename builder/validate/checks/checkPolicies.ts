import { didYouMean } from '../../../lib/didYouMean.js';
import { list, record, text } from '../../model/indexBuilding.js';
import type { ValidationIssue } from '../ValidationIssue.js';
import { issueAt, type CheckContext } from './CheckContext.js';
import { checkSelector, readSelector } from './checkSelector.js';

/** Policy rules name apps that exist and places that exist. */
export function checkPolicies(ctx: CheckContext): ValidationIssue[] {
  const source = ctx.policies;
  if (source === undefined) return [];
  const issues: ValidationIssue[] = [];
  const appNames = list(record(ctx.building.data)['apps']).map(([app]) => text(app['name'])).filter((n) => n !== '');
  let policies: unknown = source.data;
  for (const segment of ctx.policiesAt) policies = record(policies)[segment];

  for (const [rule, r] of list(record(policies)['rules'])) {
    const path = [...ctx.policiesAt, 'rules', r];
    const app = text(rule['app']);
    if (app !== '' && app !== '*' && !appNames.includes(app)) {
      const guess = didYouMean(app, appNames);
      issues.push(
        issueAt(source, [...path, 'app'], {
          code: 'policy.unknown-app',
          message: `the rule is for app "${app}", which building.yaml does not declare`,
          hint: guess !== undefined ? `did you mean "${guess}"?` : appNames.length === 0 ? 'declare the app under apps first' : `apps: ${appNames.join(', ')} (or * for every app)`,
        }),
      );
    }
    if (rule['where'] !== undefined) issues.push(...checkSelector(readSelector(rule['where']), ctx.index, source, [...path, 'where']));
  }
  return issues;
}
