import * as z from 'zod';
import { boardIds } from '../../boards/boardsById.js';
import { driverSpecs } from '../../drivers/driverSpecs.js';
import { policiesSchema } from './policiesSchema.js';
import { aliasSchema, idSchema, selectorSchema } from './selectorSchema.js';

// The single source of truth for building.yaml v1: the validator parses with these schemas
// and the shipped JSON Schema is generated from them. The messages given to `.regex` and
// friends are fix hints; validation shows them beside the problem.

const driverSettings = driverSpecs.map((spec) => spec.settings) as unknown as [z.ZodObject, ...z.ZodObject[]];

export const deviceSchema = z
  .discriminatedUnion('driver', driverSettings)
  .meta({ id: 'device', description: 'A device wired to the board: its driver and the driver settings.' });

export const boardSchema = z
  .strictObject({
    id: idSchema.meta({ description: 'Unique across the building.' }),
    board: z.enum(boardIds as [string, ...string[]]).meta({ description: 'A board support package from boards/.' }),
    name: z.string().optional(),
    address: z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):([1-9][0-9]{0,4})$/, 'give HOST:PORT, such as 10.0.4.17:47000 or door.local:47000')
      .optional()
      .meta({ description: "Where the board's circuits reach it, HOST:PORT (UDP for control circuits, TCP for streams). Default: BOARD.local:47000, or 127.0.0.1 with a port of its own for a sim board." }),
    spare: z
      .boolean()
      .optional()
      .meta({ description: 'A spare board: it runs nothing and binds nothing while the boards of its space are up, and takes over a board of its space that is down (docs/scheduler.md).' }),
    devices: z
      .record(aliasSchema, deviceSchema)
      .optional()
      .meta({ description: 'Device alias (the name apps use, such as lamp) → driver and settings.' }),
  })
  .meta({ id: 'board', description: 'A board installed in this space.' });

export interface SpaceInput {
  id: string;
  kind: string;
  name?: string | undefined;
  spaces?: SpaceInput[] | undefined;
  boards?: z.infer<typeof boardSchema>[] | undefined;
}

export const spaceSchema: z.ZodType<SpaceInput> = z
  .strictObject({
    id: idSchema.meta({ description: 'Unique across the building.' }),
    kind: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, { message: 'a kind is a lowercase word such as floor, room, corridor or entrance' })
      .meta({ description: 'What the space is: floor, room, corridor, entrance… Apps are placed by kind.' }),
    name: z.string().optional(),
    get spaces() {
      return z.array(spaceSchema).optional().meta({ description: 'Spaces inside this one, to any depth.' });
    },
    boards: z.array(boardSchema).optional(),
  })
  .meta({ id: 'space', description: 'A space in the building: a floor, a room, a corridor…' });

export const appSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, { message: 'an app name is lowercase letters, digits and hyphens, starting with a letter' }),
    source: z.string().min(1).meta({ description: 'Folder of the AssemblyScript fragment, relative to building.yaml.' }),
    place: selectorSchema.meta({ description: 'Where the app runs.' }),
    needs: z.array(aliasSchema).optional().meta({ description: 'Device aliases the app uses, bound within the placed space.' }),
    description: z.string().optional(),
  })
  .meta({ id: 'app', description: 'An application fragment and where it runs.' });

export const buildingSchema = z
  .strictObject({
    osmose: z.literal(1, { message: 'this osmose reads building.yaml version 1; write `osmose: 1`' })
      .meta({ description: 'Format version of this file.' }),
    building: z.strictObject({
      id: idSchema,
      name: z.string().min(1),
      location: z.string().optional(),
      timezone: z.string().optional().meta({ description: 'IANA time zone, such as Europe/London.' }),
    }),
    spaces: z.array(spaceSchema).meta({ description: 'The containment tree: floors, rooms, corridors… to any depth.' }),
    apps: z.array(appSchema).optional(),
    policies: z
      .union([z.string().regex(/\.ya?ml$/, { message: 'name a .yaml file beside building.yaml' }), policiesSchema])
      .optional()
      .meta({ description: 'Policies inline, or the name of a YAML file beside building.yaml that holds them.' }),
  })
  .meta({ title: 'osmose building', description: 'building.yaml, version 1: the building, its boards, apps and policies.' });

export type BuildingInput = z.infer<typeof buildingSchema>;
export type BoardInput = z.infer<typeof boardSchema>;
export type AppInput = z.infer<typeof appSchema>;
export type DeviceInput = z.infer<typeof deviceSchema>;
