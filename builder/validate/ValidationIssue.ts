/** One problem found in the building's description, located in its file. */
export interface ValidationIssue {
  /** Stable identifier of the rule that failed, such as `pin.duplicate`. */
  readonly code: string;
  /** The file, relative to the building's root: `building.yaml`, `policies.yaml`. */
  readonly file: string;
  /** 1-based; absent when the problem is the file as a whole. */
  readonly line?: number;
  readonly column?: number;
  /** Where in the tree: `spaces[0].spaces[2].boards[1].devices.lamp.pin`; empty for the file. */
  readonly path: string;
  readonly message: string;
  /** What to change to fix it. */
  readonly hint?: string;
}

/** `building.yaml:41:15` (or just the file when there is no position). */
export function formatLocation(issue: ValidationIssue): string {
  return issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
}

/** Issues in reading order: by file, then line, then column. */
export function sortIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return [...issues].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}
