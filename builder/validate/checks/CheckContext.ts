import type { BuildingIndex } from '../../model/indexBuilding.js';
import type { PathSegment } from '../../model/formatPath.js';
import { formatPath } from '../../model/formatPath.js';
import { locate } from '../locate.js';
import type { SourceFile } from '../SourceFile.js';
import type { ValidationIssue } from '../ValidationIssue.js';

/** What the whole-building checks see: the raw trees, their files, and the index. */
export interface CheckContext {
  /** Absolute path of the folder holding building.yaml. */
  readonly root: string;
  readonly building: SourceFile;
  readonly index: BuildingIndex;
  /** The file the policies are in (building.yaml itself when they are inline)… */
  readonly policies: SourceFile | undefined;
  /** …and where in that file they start (`['policies']` inline, `[]` in their own file). */
  readonly policiesAt: readonly PathSegment[];
}

export interface IssueSpec {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  /** Point at the key rather than its value (for a whole entry or an unknown key). */
  readonly at?: 'key' | 'value';
}

export function issueAt(source: SourceFile, path: readonly PathSegment[], spec: IssueSpec): ValidationIssue {
  return {
    code: spec.code,
    file: source.name,
    ...locate(source, path, spec.at ?? 'value'),
    path: formatPath(path),
    message: spec.message,
    ...(spec.hint === undefined ? {} : { hint: spec.hint }),
  };
}

/** `building.yaml:12:9`, for pointing from one issue at another place. */
export function where(source: SourceFile, path: readonly PathSegment[]): string {
  const { line, column } = locate(source, path);
  return `${source.name}:${line}:${column}`;
}

/** `a, b, c and 4 more`: short lists in messages. */
export function listSome(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
