import { z } from 'zod';
import { metaSchema } from './meta.js';
import { memoryPathSchema, nameSchema, treeSchema } from './paths.js';
import { instant, storable, utf8Length } from './text.js';

export const MAX_CONTENT_BYTES = 1_000_000;
export { metaSchema, utf8Length };

export const idSchema = z.uuid({ message: 'must be a memory id (a UUID)' }).describe('A memory id (UUID).');

/**
 * A client-chosen id for a new memory: a UUID version 7 (48-bit millisecond time, then the version
 * nibble 7 and the RFC 9562 variant bits 10), like the ids the server makes, so time order holds.
 * Sending one makes a create safe to retry; the rules are in docs/operations.md (ID_EXISTS …).
 */
export const newIdSchema = z
  .uuidv7({ message: 'must be a UUID version 7 (xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx), such as the ids memories get' })
  .describe('Your uuidv7 for it: a retry with the same id and content changes nothing.');

export const contentSchema = z
  .string()
  .min(1, 'content must not be empty')
  .check(storable)
  .refine((s) => utf8Length(s) <= MAX_CONTENT_BYTES, 'content must be at most 1 MB (1,000,000 bytes of UTF-8); split it into several memories')
  .describe('Markdown text, up to 1 MB.');

export const temporalSchema = z
  .object({
    start: instant,
    end: instant.nullish().describe('Exclusive; omit for a point in time.'),
  })
  .refine((t) => !t.end || Date.parse(t.end) > Date.parse(t.start), {
    message: 'temporal.end must be after temporal.start (ranges are [start, end))',
    path: ['end'],
  })
  .describe('When it is about: a point {start} or a range {start, end}.');

export { memoryPathSchema, nameSchema, treeSchema };

export const memorySchema = z.object({
  id: z.string(),
  path: z.string().describe('The tree, plus /name for a named memory.'),
  tree: z.string(),
  name: z.string().nullable(),
  content: z.string(),
  meta: z.record(z.string(), z.unknown()),
  temporal: z.object({ start: z.string(), end: z.string().nullable() }).nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type Memory = z.infer<typeof memorySchema>;

export const memoryInputSchema = z.object({
  id: newIdSchema.optional(),
  content: contentSchema,
  tree: treeSchema.default('').optional(),
  name: nameSchema.optional(),
  meta: metaSchema.optional(),
  temporal: temporalSchema.nullish(),
});

/** A count of memories a bulk operation touched (or would touch, in a dry run). */
export const bulkResultSchema = z.object({
  count: z.number().int(),
  dryRun: z.boolean(),
});

export const temporalFilterSchema = z
  .object({
    before: instant.optional().describe('Time ends at or before this.'),
    after: instant.optional().describe('Time starts at or after this.'),
    overlaps: z
      .object({ start: instant, end: instant })
      .optional()
      .describe('Time overlaps [start, end).'),
    contains: instant.optional().describe('Time range contains this.'),
  })
  .refine((t) => !t.overlaps || Date.parse(t.overlaps.end) > Date.parse(t.overlaps.start), {
    message: 'temporal.overlaps.end must be after temporal.overlaps.start',
    path: ['overlaps', 'end'],
  })
  .describe('By the memory\'s time (memories without one never match).');
