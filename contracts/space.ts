import { z } from 'zod';
import { additive, adminAccess, defineContract, destructive, idempotentWrite, readOnly, selfAccess } from './define.js';
import { text } from './text.js';

export const slugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a space slug is 1-63 lowercase letters, digits and -, starting with a letter or digit')
  .describe('The space slug, e.g. "team-notes".');

/** The optional `space` argument of space-scoped operations. */
export const spaceArg = text({ max: 100 })
  .optional()
  .describe('Space slug (default: this connection\'s space).');

const spaceName = text({ min: 1, max: 200 });

export const spaceSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  personal: z.boolean(),
  role: z.enum(['member', 'admin']).describe('Your role in it.'),
  createdAt: z.string(),
});

export const spaceList = defineContract({
  name: 'space.list',
  endpoint: 'user',
  summary: 'List the spaces you belong to.',
  description: 'List the spaces you belong to, with your role in each. Pass a slug as `space` to other tools to use it.',
  input: z.object({}),
  output: z.object({ spaces: z.array(spaceSchema) }),
  access: selfAccess,
  hints: readOnly,
  tool: true,
});

export const spaceCreate = defineContract({
  name: 'space.create',
  endpoint: 'user',
  summary: 'Create a space (you become its admin).',
  description: 'Create a space; you become its admin with owner access to all of it.',
  input: z.object({ slug: slugSchema, name: spaceName.optional().describe('Display name (defaults to the slug).') }),
  output: spaceSchema,
  access: adminAccess('none'),
  hints: additive,
});

export const spaceRename = defineContract({
  name: 'space.rename',
  endpoint: 'user',
  summary: "Change a space's slug or name (admins).",
  description: 'Change the slug and/or display name of a space you administer.',
  input: z
    .object({ space: slugSchema, slug: slugSchema.optional(), name: spaceName.optional() })
    .refine((v) => v.slug !== undefined || v.name !== undefined, 'pass a new slug, a new name, or both'),
  output: spaceSchema,
  access: adminAccess('admin'),
  hints: idempotentWrite,
});

export const spaceDelete = defineContract({
  name: 'space.delete',
  endpoint: 'user',
  summary: 'Delete a space and all its memories (admins).',
  description: 'Delete a space you administer, with every memory in it. Requires confirm set to the slug.',
  input: z.object({ space: slugSchema, confirm: text({ max: 100 }).describe('Repeat the slug to confirm.') }),
  output: z.object({ slug: z.string(), deleted: z.literal(true), memories: z.number().int() }),
  access: adminAccess('admin'),
  hints: destructive,
});

export const spaceContracts = [spaceList, spaceCreate, spaceRename, spaceDelete];
