import * as z from 'zod';
import { alwaysGranted } from '../../lib/capabilities.js';
import { didYouMean } from '../../lib/didYouMean.js';
import { allowedKeys, schemaAt } from './schemaAt.js';
import { locate, type SourceFile } from './SourceFile.js';
import { formatPath, type PathSegment, type ValidationIssue } from './ValidationIssue.js';

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
  const make = (code: string, message: string, hint: string | undefined, at: readonly PathSegment[] = path, where: 'key' | 'value' = 'value'): ValidationIssue => ({
    code,
    file: source.name,
    ...locate(source, at, where),
    path: formatPath(path),
    message,
    ...(hint === undefined ? {} : { hint }),
  });

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
      if (value === undefined) {
        const description = describe(schema, local, data);
        return [make('schema.missing-key', `missing required key "${field}"${path.length > 1 ? ` in ${describeParent(path)}` : ''}`,
          `add "${field}:"${description === undefined ? '' : ` (${description})`}`, path.slice(0, -1))];
      }
      if (path.length === 0) {
        return [make('schema.wrong-type', `${source.name} must be a mapping of keys, but it is ${kindOf(value)}`,
          'start the file with `osmose: 1` followed by building, spaces, apps and policies')];
      }
      return [make('schema.wrong-type', `"${field}" must be ${article(issue.expected)}, but it is ${kindOf(value)}`,
        describe(schema, local, data) ?? `write ${article(issue.expected)} here`)];
    }
    case 'invalid_value': {
      const options = issue.values.map(String);
      if (field === 'osmose') return [make('schema.version', `unsupported format version ${JSON.stringify(value)}`, issue.message)];
      const shown = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
      if (typeof value === 'string' && (alwaysGranted as readonly string[]).includes(value)) {
        return [make('policy.always-granted', `${shown} is granted to every app and cannot be named in a rule`, `remove ${shown} from allow`)];
      }
      const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
      const what = valueNoun(path);
      return [make(what.code, `${what.noun} ${shown} is not known`,
        `${guess === undefined ? '' : `did you mean "${guess}"? `}${what.listLabel}: ${options.join(', ')}`)];
    }
    case 'invalid_union': {
      const discriminator = (issue as { discriminator?: string }).discriminator;
      const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
      if (discriminator === 'driver') {
        if (value === undefined) {
          return [make('driver.missing', `device "${String(path.at(-2))}" has no driver`, `add "driver:" with one of: ${options.join(', ')}`, path.slice(0, -1))];
        }
        const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
        return [make('driver.unknown', `unknown driver ${JSON.stringify(value)}`,
          `${guess === undefined ? '' : `did you mean "${guess}"? `}drivers/ has: ${options.join(', ')}`)];
      }
      // An undiscriminated union (policies: a file name or the policies themselves).
      return [make('schema.wrong-type', `"${field}" must be ${describeUnion(issue.errors)}, but it is ${kindOf(value)}`, describe(schema, local, data))];
    }
    case 'invalid_format':
      return [make(formatCode(path), `${JSON.stringify(value)} is not a valid ${valueNoun(path).noun}`, issue.message)];
    case 'invalid_key':
      return [make('schema.invalid-key', `${JSON.stringify(local.at(-1))} is not a valid ${keyNoun(path)}`,
        issue.issues[0]?.message, path, 'key')];
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`;
      const unit = issue.origin === 'array' ? ' entries' : issue.origin === 'string' ? ' characters' : '';
      const actual = Array.isArray(value) ? `${value.length} entries` : JSON.stringify(value);
      return [make('schema.out-of-range', `"${field}" is ${actual}; it must be ${bound}${unit}`, describe(schema, local, data))];
    }
    default:
      return [make('schema.invalid', issue.message, describe(schema, local, data))];
  }
}

function describe(schema: z.ZodType, path: readonly PathSegment[], data: unknown): string | undefined {
  const at = schemaAt(schema, path, data);
  if (at === undefined) return undefined;
  return z.globalRegistry.get(at as z.ZodType)?.description;
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

function describeParent(path: readonly PathSegment[]): string {
  const parent = path.slice(0, -1);
  return parent.length === 0 ? 'the top level' : formatPath(parent);
}

function kindOf(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  return `the ${typeof value} ${JSON.stringify(value)}`;
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
