import type * as z from 'zod';

type AnySchema = z.core.$ZodType;

/**
 * The schema that governs `path` inside `value` validated by `root`, following objects,
 * arrays, records, optional wrappers and (by the actual discriminator value) unions.
 * Used to list allowed keys and to describe a missing field; undefined when unknown.
 */
export function schemaAt(root: AnySchema, path: readonly PropertyKey[], value: unknown): AnySchema | undefined {
  return layersAt(root, path, value).at(-1);
}

/**
 * The schema at `path` with every wrapper around it, outermost first: a description given
 * with `.optional().meta(…)` sits on the wrapper, not on what it wraps.
 */
export function layersAt(root: AnySchema, path: readonly PropertyKey[], value: unknown): AnySchema[] {
  let schema: AnySchema | undefined = root;
  let current: unknown = value;
  for (const segment of path) {
    schema = unwrap(schema, current).at(-1);
    if (schema === undefined) return [];
    const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === 'object') {
      schema = (def['shape'] as Record<string, AnySchema>)[String(segment)];
    } else if (def.type === 'array') {
      schema = def['element'] as AnySchema;
    } else if (def.type === 'record') {
      schema = def['valueType'] as AnySchema;
    } else {
      return [];
    }
    current = isRecord(current) || Array.isArray(current) ? (current as Record<PropertyKey, unknown>)[segment as string] : undefined;
  }
  return unwrap(schema, current);
}

/** The keys an object schema at `path` accepts, or [] when it is not an object. */
export function allowedKeys(root: AnySchema, path: readonly PropertyKey[], value: unknown): string[] {
  const schema = schemaAt(root, path, value);
  if (schema === undefined) return [];
  const def = schema._zod.def as unknown as { type: string; shape?: Record<string, unknown> };
  return def.type === 'object' && def.shape !== undefined ? Object.keys(def.shape) : [];
}

/** `schema` and what it wraps, down to an object, array, record or leaf ([] when undefined). */
function unwrap(schema: AnySchema | undefined, value: unknown): AnySchema[] {
  const layers: AnySchema[] = [];
  let current = schema;
  for (let guard = 0; current !== undefined && guard < 32; guard++) {
    layers.push(current);
    const def = current._zod.def as unknown as Record<string, unknown> & { type: string };
    switch (def.type) {
      case 'optional':
      case 'default':
      case 'nullable':
      case 'readonly':
      case 'nonoptional':
        current = def['innerType'] as AnySchema;
        break;
      case 'lazy':
        current = (def['getter'] as () => AnySchema)();
        break;
      case 'pipe':
        current = def['in'] as AnySchema;
        break;
      case 'union': {
        const options = def['options'] as AnySchema[];
        const discriminator = def['discriminator'] as string | undefined;
        // No option fits (a device that is not a mapping): the union itself is the answer.
        const option = pickOption(options, discriminator, value);
        if (option === undefined) return layers;
        current = option;
        break;
      }
      default:
        return layers;
    }
  }
  return layers;
}

function pickOption(options: AnySchema[], discriminator: string | undefined, value: unknown): AnySchema | undefined {
  if (discriminator !== undefined) {
    if (!isRecord(value)) return undefined;
    const wanted = value[discriminator];
    return options.find((option) => {
      const shape = (option._zod.def as unknown as { shape?: Record<string, AnySchema> }).shape;
      const literal = shape?.[discriminator]?._zod.def as unknown as { values?: unknown[] } | undefined;
      return literal?.values?.includes(wanted) ?? false;
    });
  }
  // An undiscriminated union: the object option when the value is a mapping, else the first.
  const wantObject = isRecord(value);
  return options.find((option) => ((option._zod.def as unknown as { type: string }).type === 'object') === wantObject) ?? options[0];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
