import * as z from 'zod';
import { defineDriver } from '../DriverSpec.js';

export const enclaveSpec = defineDriver({
  name: 'enclave',
  class: 'enclave',
  summary: 'Secure storage that holds keys and encrypted data and never lets keys out.',
  requires: 'enclave',
  capability: 'enclave',
  settings: z
    .strictObject({
      driver: z.literal('enclave'),
      capacity: z.string().regex(/^\d+(KiB|MiB|GiB)$/, { message: 'write a size such as 64MiB or 1GiB' }).optional()
        .meta({ description: 'Storage size, such as 512MiB. Default: 64MiB.' }),
    })
    .meta({ title: 'enclave', description: 'Secure storage for keys and encrypted data.' }),
  claims: [],
});
