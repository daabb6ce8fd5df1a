import { z } from 'zod';
import { defineContract, memoryAccess, readOnly } from './define.js';
import { idSchema, memoryPathSchema, memorySchema, treeSchema } from './memory-shapes.js';
import { instant, positiveInt4, text } from './text.js';
import { spaceArg } from './space.js';

// What happened to memories: the history of one memory, the activity feed of a tree, the trash of
// deleted memories, and the operations that bring things back.

const endpoint = 'memory' as const;

const temporalShape = z.object({ start: z.string(), end: z.string().nullable() }).nullable();
const actorShape = {
  actor: z.string().nullable().describe('Id of the principal who made the change (null: made outside the API).'),
  actorName: z.string().nullable().describe('Their name.'),
};

const exactlyOne = (v: Record<string, unknown>, keys: string[]) => keys.filter((k) => v[k] !== undefined).length === 1;

export const memoryHistory = defineContract({
  name: 'memory.history',
  endpoint,
  summary: 'Versions of one memory, or every change under a tree (activity feed).',
  description:
    'Newest first. Give one of: `id` (its versions, also deleted), `path` (the memory last there) or `tree` ' +
    '(every change at or below it). Each event: version, operation, when, who, and the memory after it (full ' +
    'content for id/path, a snippet for tree). memory.revert goes back to a version.',
  input: z
    .object({
      space: spaceArg,
      id: idSchema.optional(),
      path: memoryPathSchema.optional().describe('The path of a named memory, e.g. "/projects/alpha/decisions".'),
      tree: treeSchema.optional().describe('Every change at or below this tree ("/" for the whole space).'),
      since: instant.optional().describe('Only changes at or after this instant.'),
      until: instant.optional().describe('Only changes before this instant.'),
      limit: z.number().int().min(1).max(100).default(20).optional(),
      cursor: text({ max: 200 }).optional().describe('nextCursor from the previous page.'),
    })
    .refine((v) => exactlyOne(v, ['id', 'path', 'tree']), 'pass exactly one of id, path or tree'),
  output: z.object({
    events: z.array(
      z.object({
        memoryId: z.string(),
        version: z.number().int(),
        op: z.enum(['insert', 'update', 'delete']),
        at: z.string(),
        ...actorShape,
        operationId: z.string().nullable().describe('The request that made it: one delete of a tree is one operation.'),
        snapshot: z.object({
          path: z.string(),
          tree: z.string(),
          name: z.string().nullable(),
          content: z.string().optional().describe('The full text (history of one memory).'),
          snippet: z.string().optional().describe('The first 200 characters (activity feed).'),
          meta: z.record(z.string(), z.unknown()),
          temporal: temporalShape,
        }),
      }),
    ),
    nextCursor: z.string().nullable(),
  }),
  access: memoryAccess('read'),
  hints: readOnly,
  tool: true,
});

export const memoryRevert = defineContract({
  name: 'memory.revert',
  endpoint,
  summary: 'Restore an earlier version (also undeletes).',
  description:
    'Restore a memory to an earlier version, as a new version; also undeletes. CONFLICT if its named path is now taken.',
  input: z.object({
    space: spaceArg,
    id: idSchema,
    version: positiveInt4.describe('The version to restore (see memory.history).'),
  }),
  output: memorySchema,
  access: memoryAccess('write'),
  hints: { readOnly: false, destructive: false, idempotent: false },
  tool: true,
});

export const trashItemSchema = z.object({
  id: z.string(),
  path: z.string().describe('Where it was when deleted.'),
  tree: z.string(),
  name: z.string().nullable(),
  version: z.number().int().describe('Its version when deleted.'),
  deletedAt: z.string(),
  deletedBy: z.string().nullable().describe('Id of who deleted it.'),
  deletedByName: z.string().nullable(),
  operationId: z.string().nullable().describe('The request that deleted it (one `rm -r` is one operation).'),
  snippet: z.string().describe('The first 200 characters of its content.'),
});

export const memoryTrash = defineContract({
  name: 'memory.trash',
  endpoint,
  summary: 'List deleted memories (the trash), newest first.',
  description:
    'Deleted memories not restored since, newest first: id, former path, when and by whom, a snippet. ' +
    'Narrow with `tree` and `since`; bring them back with memory.restore.',
  input: z.object({
    space: spaceArg,
    tree: treeSchema.optional().describe('Only memories deleted at or below this tree.'),
    since: instant.optional().describe('Only deletions at or after this instant.'),
    limit: z.number().int().min(1).max(100).default(20).optional(),
    cursor: text({ max: 200 }).optional().describe('nextCursor from the previous page.'),
  }),
  output: z.object({ items: z.array(trashItemSchema), nextCursor: z.string().nullable() }),
  access: memoryAccess('read'),
  hints: readOnly,
  tool: true,
});

export const MAX_RESTORE_IDS = 1000;
export const memoryRestore = defineContract({
  name: 'memory.restore',
  endpoint,
  summary: 'Bring deleted memories back: by id, path or tree.',
  description:
    'Restore deleted memories as they were (same ids, each a new version). Give one of: `ids` (from ' +
    'memory.trash or a delete), `path` or `tree` (with `since`: only recent deletions). All or nothing: a taken ' +
    'path restores nothing (CONFLICT names it).',
  input: z
    .object({
      space: spaceArg,
      ids: z.array(idSchema).min(1).max(MAX_RESTORE_IDS, `restore at most ${MAX_RESTORE_IDS} ids at once; use tree to restore a whole subtree`).optional()
        .describe('Ids of deleted memories.'),
      path: memoryPathSchema.optional().describe('The path a deleted named memory had.'),
      tree: treeSchema.optional().describe('Restore everything deleted at or below this tree.'),
      since: instant.optional().describe('With tree: only deletions at or after this instant.'),
      dryRun: z.boolean().default(false).optional().describe('Only list what would be restored.'),
    })
    .refine((v) => exactlyOne(v, ['ids', 'path', 'tree']), 'pass exactly one of ids, path or tree')
    .refine((v) => v.since === undefined || v.tree !== undefined, { message: 'since applies to a tree restore: pass tree too', path: ['since'] }),
  output: z.object({
    count: z.number().int(),
    dryRun: z.boolean(),
    restored: z.array(z.object({ id: z.string(), path: z.string(), version: z.number().int().describe('Its new version (in a dry run, the version it had).') })),
  }),
  access: memoryAccess('write'),
  hints: { readOnly: false, destructive: false, idempotent: true },
  tool: true,
});

export const historyContracts = [memoryHistory, memoryRevert, memoryTrash, memoryRestore];
