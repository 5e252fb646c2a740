import * as z from 'zod';
import { alwaysGranted } from '../../lib/capabilities.js';
import { didYouMean } from '../../lib/didYouMean.js';
import { allowedKeys, layersAt } from './schemaAt.js';
import { locate } from './locate.js';
import type { SourceFile } from './SourceFile.js';
import { formatPath, type PathSegment } from '../model/formatPath.js';
import type { ValidationIssue } from './ValidationIssue.js';

/**
 * Pass one: checks each node of `source` (from `prefix` down) against `schema` and turns
 * every schema failure into a located issue with a fix hint. Returns the parsed value when
 * there was nothing to report.
 */
export function checkAgainstSchema<S extends z.ZodType>(
  schema: S,
  source: SourceFile,
  prefix: readonly PathSegment[] = [],
): { value?: z.infer<S>; issues: ValidationIssue[] } {
  const data = valueAt(source.data, prefix);
  const result = schema.safeParse(data);
  if (result.success) return { value: result.data, issues: [] };
  const issues = result.error.issues.flatMap((issue) => translate(issue, schema, data, source, prefix));
  return { issues };
}

function translate(
  issue: z.core.$ZodIssue,
  schema: z.ZodType,
  data: unknown,
  source: SourceFile,
  prefix: readonly PathSegment[],
): ValidationIssue[] {
  const local = issue.path as PathSegment[];
  const path = [...prefix, ...local];
  const value = valueAt(data, local);
  const field = fieldName(path);
  const label = fieldLabel(path);
  const description = describe(schema, local, data);
  const make = (code: string, message: string, hint: string, at: readonly PathSegment[] = path, where: 'key' | 'value' = 'value'): ValidationIssue => ({
    code,
    file: source.name,
    ...locate(source, at, where),
    path: formatPath(path),
    message,
    hint,
  });
  // zod reports a missing key as a wrong type, or (for an enum or a literal) as a wrong value.
  const missing = (): ValidationIssue[] => [
    make('schema.missing-key', `missing required key "${field}"${path.length > 1 ? ` in ${describeParent(path)}` : ''}`,
      `add "${field}:"${description === undefined ? '' : ` (${description})`}`, path.slice(0, -1)),
  ];
  const unknownValue = (options: readonly string[]): ValidationIssue[] => {
    const shown = typeof value === 'string' ? `"${value}"` : show(value);
    if (typeof value === 'string' && (alwaysGranted as readonly string[]).includes(value)) {
      return [make('policy.always-granted', `${shown} is granted to every app and cannot be named in a rule`, `remove ${shown} from allow`)];
    }
    const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
    const what = valueNoun(path);
    return [make(what.code, `${what.noun} ${shown} is not known`,
      `${guess === undefined ? '' : `did you mean "${guess}"? `}${what.listLabel}: ${options.join(', ')}`)];
  };

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, local, data);
      return issue.keys.map((key) => {
        const guess = didYouMean(key, allowed);
        // In a flow mapping, `location: Cambridge, UK` reads "UK" as a key of its own.
        const stray = valueAt(value, [key]) === null ? '; if it continues the value before it, put that value in quotes' : '';
        return {
          ...make('schema.unknown-key', `unknown key "${key}" ${path.length === 0 ? 'at the top level' : `in ${formatPath(path)}`}`,
            (guess !== undefined ? `did you mean "${guess}"? Allowed here: ${allowed.join(', ')}` : `allowed here: ${allowed.join(', ')}`) + stray,
            [...path, key], 'key'),
          path: formatPath([...path, key]),
        };
      });
    }
    case 'invalid_type': {
      if (value === undefined) return missing();
      if (path.length === 0) {
        const keys = allowedKeys(schema, [], {});
        return [make('schema.wrong-type', `${source.name} must be a mapping of keys, but it is ${kindOf(value)}`,
          keys.includes('osmose')
            ? 'start the file with `osmose: 1` followed by building, spaces, apps and policies'
            : `write a mapping with ${keys.join(' and ')}`)];
      }
      return [make('schema.wrong-type', `"${label}" must be ${article(issue.expected)}, but it is ${kindOf(value)}`,
        withDescription(`write ${article(issue.expected)} here`, description))];
    }
    case 'invalid_value': {
      if (value === undefined) return missing();
      if (field === 'osmose') return [make('schema.version', `unsupported format version ${show(value)}`, issue.message)];
      return unknownValue(issue.values.map(String));
    }
    case 'invalid_union': {
      if (value === undefined) {
        return (issue as { discriminator?: string }).discriminator === 'driver'
          ? [make('driver.missing', `device "${String(path.at(-2))}" has no driver`,
            `add "driver:" with one of: ${((issue as { options?: unknown[] }).options ?? []).map(String).join(', ')}`, path.slice(0, -1))]
          : missing();
      }
      const discriminator = (issue as { discriminator?: string }).discriminator;
      const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
      if (discriminator === 'driver') {
        const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
        return [make('driver.unknown', `unknown driver ${show(value)}`,
          `${guess === undefined ? '' : `did you mean "${guess}"? `}drivers/ has: ${options.join(', ')}`)];
      }
      // A union of literals (an audio rate): the same as an enum.
      const literals = issue.errors.every((branch) => branch.length > 0 && branch.every((i) => i.code === 'invalid_value'));
      if (literals) return unknownValue(issue.errors.flatMap((branch) => branch.flatMap((i) => (i.code === 'invalid_value' ? i.values.map(String) : []))));
      return [make('schema.wrong-type', `"${label}" must be ${describeUnion(issue.errors)}, but it is ${kindOf(value)}`,
        withDescription(`write ${describeUnion(issue.errors)} here`, description))];
    }
    case 'invalid_format':
      return [make(formatCode(path), `${show(value)} is not a valid ${valueNoun(path).noun}`, issue.message)];
    case 'invalid_key':
      return [make('schema.invalid-key', `${JSON.stringify(local.at(-1))} is not a valid ${keyNoun(path)}`,
        issue.issues[0]?.message ?? 'rename the key', path, 'key')];
    case 'too_small':
    case 'too_big': {
      if (issue.code === 'too_small' && Number(issue.minimum) === 1 && (issue.origin === 'array' || issue.origin === 'string')) {
        const fix = issue.origin === 'array' ? 'give at least one entry' : 'write a value';
        return [make('schema.out-of-range', `"${label}" is empty`,
          withDescription(isOptional(schema, local, data) ? `${fix}, or leave the key out` : fix, description))];
      }
      const bound = issue.code === 'too_small' ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`;
      const unit = issue.origin === 'array' ? ' entries' : issue.origin === 'string' ? ' characters' : '';
      const actual = Array.isArray(value) ? `${value.length} entries` : show(value);
      return [make('schema.out-of-range', `"${label}" is ${actual}; it must be ${bound}${unit}`,
        withDescription(`write a value ${bound}${unit}`, description))];
    }
    case 'custom': {
      // Refinements say what to write; their `params.code` names the rule (see selectorSchema).
      const code = (issue.params as { code?: unknown } | undefined)?.code;
      const problem = (issue.params as { problem?: unknown } | undefined)?.problem;
      return [make(typeof code === 'string' ? code : 'schema.invalid',
        typeof problem === 'string' ? `"${label}" ${problem}` : `"${label}" is not valid: ${issue.message}`, issue.message)];
    }
    default:
      return [make('schema.invalid', `"${label}" is not valid: ${issue.message}`, withDescription('check this value', description))];
  }
}

function describe(schema: z.ZodType, path: readonly PathSegment[], data: unknown): string | undefined {
  for (const layer of layersAt(schema, path, data)) {
    const description = z.globalRegistry.get(layer as z.ZodType)?.description;
    if (description !== undefined) return description;
  }
  return undefined;
}

function isOptional(schema: z.ZodType, path: readonly PathSegment[], data: unknown): boolean {
  return layersAt(schema, path, data).some((layer) => layer._zod.def.type === 'optional');
}

/** `write a list here (the containment tree: …)`: a fix, and what the field is for. */
function withDescription(fix: string, description: string | undefined): string {
  if (description === undefined) return fix;
  const text = description.replace(/\.$/, '');
  const lowered = /^[A-Z](?![A-Z])/.test(text) ? `${text[0]?.toLowerCase() ?? ''}${text.slice(1)}` : text;
  return `${fix} (${lowered})`;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function fieldName(path: readonly PathSegment[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment === 'string') return segment;
  }
  return '';
}

/** The field a value is in, with the indexes after it: `needs[1]`, `spaces[0]`, `board`. */
function fieldLabel(path: readonly PathSegment[]): string {
  let start = path.length;
  while (start > 0 && typeof path[start - 1] === 'number') start--;
  return formatPath(path.slice(Math.max(0, start - 1)));
}

function describeParent(path: readonly PathSegment[]): string {
  const parent = path.slice(0, -1);
  return parent.length === 0 ? 'the top level' : formatPath(parent);
}

function kindOf(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data (!!binary)';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return `${String(value)}, not a finite number`;
  return `the ${typeof value} ${show(value)}`;
}

/** A value as the user wrote it: text quoted, numbers as numbers (JSON would turn .inf into null). */
function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}

function article(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'int':
      return 'a whole number';
    case 'string':
      return 'text';
    default:
      return `a ${expected}`;
  }
}

function describeUnion(errors: readonly (readonly z.core.$ZodIssue[])[]): string {
  const expected = errors.flatMap((branch) => branch.filter((i) => i.code === 'invalid_type').map((i) => article((i as { expected: string }).expected)));
  return expected.length === 0 ? 'one of the accepted forms' : [...new Set(expected)].join(' or ');
}

function valueNoun(path: readonly PathSegment[]): { noun: string; code: string; listLabel: string } {
  const field = fieldName(path);
  const parent = path.length >= 2 ? path[path.length - 2] : undefined;
  if (field === 'board') return { noun: 'board type', code: 'board.unknown', listLabel: 'boards/ has' };
  if (field === 'allow') return { noun: 'capability', code: 'policy.unknown-capability', listLabel: 'capabilities' };
  if (field === 'retain' || field === 'debounce') return { noun: 'duration', code: 'duration.invalid', listLabel: 'expected' };
  if (field === 'id' || parent === 'ids') return { noun: 'id', code: 'id.invalid', listLabel: 'expected' };
  if (field === 'needs' || field === 'has') return { noun: 'device alias', code: 'alias.invalid', listLabel: 'expected' };
  return { noun: `value for "${field}"`, code: 'schema.invalid-value', listLabel: 'expected one of' };
}

function formatCode(path: readonly PathSegment[]): string {
  return valueNoun(path).code === 'schema.invalid-value' ? 'schema.invalid-format' : valueNoun(path).code;
}

function keyNoun(path: readonly PathSegment[]): string {
  return path.includes('devices') ? 'device alias' : 'key';
}
