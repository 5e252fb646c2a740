import { formatLocation, type ValidationIssue } from './ValidationIssue.js';

/** The issues as a compiler would print them: location, message, where in the tree, the fix. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues
    .map((issue) => {
      const lines = [`${formatLocation(issue)}: error: ${issue.message}`];
      if (issue.path !== '') lines.push(`  at ${issue.path}`);
      if (issue.hint !== undefined) lines.push(`  fix: ${issue.hint}`);
      return lines.join('\n');
    })
    .join('\n');
}
