import { didYouMean } from '../../../lib/didYouMean.js';
import type { PathSegment } from '../../model/formatPath.js';
import { record, text, texts, type BuildingIndex } from '../../model/indexBuilding.js';
import type { Selector } from '../../model/selectorSchema.js';
import type { SourceFile } from '../SourceFile.js';
import type { ValidationIssue } from '../ValidationIssue.js';
import { issueAt, listSome } from './CheckContext.js';

/** A selector read leniently from the raw tree (malformed parts are left out). */
export function readSelector(value: unknown): Selector {
  const raw = record(value);
  const kind = text(raw['kind']);
  return {
    ...(kind === '' ? {} : { kind }),
    ...(Array.isArray(raw['ids']) ? { ids: texts(raw['ids']) } : {}),
    ...(Array.isArray(raw['has']) ? { has: texts(raw['has']) } : {}),
  };
}

/** Every id, kind and alias a selector names exists in the building. */
export function checkSelector(
  selector: Selector,
  index: BuildingIndex,
  source: SourceFile,
  path: readonly PathSegment[],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  (selector.ids ?? []).forEach((id, i) => {
    if (index.byId.has(id)) return;
    const guess = didYouMean(id, [...index.byId.keys()]);
    issues.push(
      issueAt(source, [...path, 'ids', i], {
        code: 'place.unknown-id',
        message: `no space or board has the id "${id}"`,
        hint: guess === undefined ? 'name a space or board declared under spaces' : `did you mean "${guess}"?`,
      }),
    );
  });
  if (selector.kind !== undefined) {
    const kinds = [...new Set(index.spaces.map((space) => space.kind).filter((kind) => kind !== ''))];
    if (!kinds.includes(selector.kind)) {
      const guess = didYouMean(selector.kind, kinds);
      issues.push(
        issueAt(source, [...path, 'kind'], {
          code: 'place.unknown-kind',
          message: `no space is of kind "${selector.kind}"`,
          hint: kinds.length === 0
            ? 'the building has no spaces with a kind yet; add them under spaces'
            : `${guess === undefined ? '' : `did you mean "${guess}"? `}kinds in this building: ${listSome(kinds, 10)}`,
        }),
      );
    }
  }
  const aliases = [...new Set(index.devices.map((device) => device.alias))];
  (selector.has ?? []).forEach((alias, i) => {
    if (aliases.includes(alias)) return;
    const guess = didYouMean(alias, aliases);
    issues.push(
      issueAt(source, [...path, 'has', i], {
        code: 'place.unknown-alias',
        message: `no board in the building has a device called "${alias}"`,
        hint: guess === undefined ? 'add the device to a board, or remove it from has' : `did you mean "${guess}"?`,
      }),
    );
  });
  return issues;
}
