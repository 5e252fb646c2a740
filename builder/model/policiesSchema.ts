import * as z from 'zod';
import { grantableCapabilities } from '../../lib/capabilities.js';
import { durationSchema } from '../../lib/duration.js';
import { selectorSchema } from './selectorSchema.js';

export const disclosures = ['participants', 'operator', 'nobody'] as const;

export const ruleSchema = z
  .strictObject({
    app: z.string().min(1).meta({ description: 'The app this rule is for, or * for every app.' }),
    where: selectorSchema.optional().meta({ description: 'Limit the rule to these spaces or boards.' }),
    allow: z.array(z.enum(grantableCapabilities)).optional().meta({ description: 'Capabilities granted.' }),
    retain: durationSchema.optional().meta({ description: 'Data older than this is destroyed.' }),
    disclose: z.enum(disclosures).optional().meta({ description: 'Who may read the data the app records.' }),
  })
  .meta({ id: 'rule' });

export const policiesSchema = z
  .strictObject({
    default: z.enum(['deny', 'allow']).optional().meta({ description: 'What is granted when no rule allows it. Default: deny.' }),
    rules: z.array(ruleSchema).optional(),
  })
  .meta({ id: 'policies', title: 'osmose policies', description: 'Which app may use which capability, and for how long data is kept.' });

export type PoliciesInput = z.infer<typeof policiesSchema>;
export type RuleInput = z.infer<typeof ruleSchema>;
