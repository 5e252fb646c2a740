import * as z from 'zod';

export const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'an id is lowercase letters, digits and hyphens, such as fw11-door' });

export const aliasSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, { message: 'a device alias is a lowercase word such as button, lamp or mic' });

/**
 * Where an app runs (or where a policy rule applies): in every space of a `kind`, in the
 * spaces or on the boards named in `ids`, on every board that `has` all the given aliases.
 * `has` may narrow `kind` or `ids`.
 */
export const selectorSchema = z
  .strictObject({
    kind: z.string().min(1).optional().meta({ description: 'Every space of this kind, such as room.' }),
    ids: z.array(idSchema).min(1).optional().meta({ description: 'These spaces or boards.' }),
    has: z.array(aliasSchema).min(1).optional().meta({ description: 'Every board that has all these device aliases.' }),
  })
  // `message` is the fix; `params` give validation the code and what is wrong.
  .refine((s) => s.kind !== undefined || s.ids !== undefined || s.has !== undefined, {
    message: 'give at least one of kind, ids or has',
    params: { code: 'selector.empty', problem: 'selects nothing: it names none of kind, ids or has' },
  })
  .refine((s) => s.kind === undefined || s.ids === undefined, {
    message: 'use kind or ids, not both (has may narrow either)',
    params: { code: 'selector.kind-and-ids', problem: 'names both kind and ids' },
  })
  .meta({ id: 'selector' });

export type Selector = z.infer<typeof selectorSchema>;
