import { z } from 'zod';
import { additive, defineContract, destructive, idempotentWrite, memoryAccess, readOnly } from './define.js';
import {
  bulkResultSchema, contentSchema, MAX_CONTENT_BYTES, idSchema, memoryInputSchema, memoryPathSchema, memorySchema,
  metaSchema, nameSchema, temporalFilterSchema, temporalSchema, treeSchema,
} from './memory-shapes.js';
import { whereSchema } from './jsonpath.js';
import { positiveInt4, text } from './text.js';
import { spaceArg } from './space.js';

const endpoint = 'memory' as const;

export const memoryCreate = defineContract({
  name: 'memory.create',
  endpoint,
  summary: 'Store a new memory.',
  description:
    'Store a memory: text filed under a tree path (like a folder). A name makes it addressable as <tree>/<name> ' +
    '(unique in its tree); then onConflict decides when that path exists: "error" (default), "replace" (update it; ' +
    'identical → outcome "unchanged") or "ignore". meta: facts to filter on later; temporal: when it is about.',
  input: memoryInputSchema.extend({
    space: spaceArg,
    onConflict: z
      .enum(['error', 'replace', 'ignore'])
      .default('error')
      .optional()
      .describe('For a named memory whose path exists: error, replace or ignore.'),
  }),
  output: memorySchema.extend({
    outcome: z.enum(['created', 'replaced', 'ignored', 'unchanged']).describe('What happened; unchanged: a replace with identical content, meta and time, or an id that exists with identical content (no new version).'),
  }),
  access: memoryAccess('write'),
  hints: additive,
  tool: true,
});

export const MAX_BATCH = 1000;
export const memoryBatchCreate = defineContract({
  name: 'memory.batchCreate',
  endpoint,
  summary: 'Store up to 1000 memories at once, all or nothing.',
  description:
    'Store many memories in one transaction: either all are stored or none is. For named memories, ' +
    'onConflict applies to each (error aborts the whole batch); a replace that would change nothing is counted as unchanged. ' +
    'Retries: give each memory an `id` (a uuidv7 you make) and a retried call cannot store anything twice. The same applies to ' +
    'memory.create. A memory of this space that already has the id and is identical (same tree, name, content byte for byte, ' +
    'meta as JSON (key order aside), and temporal as the same instants; absent meta = {}, absent temporal = none; who created ' +
    'it, versions and timestamps are not compared) is left alone and counted unchanged, whatever onConflict says. With other ' +
    'content onConflict decides: error (default) fails with CONFLICT reason ID_EXISTS naming the ids (data.ids), ignore keeps it ' +
    '(ignored), replace updates it to the given tree, name, content, meta and temporal (replaced). The id of a deleted memory ' +
    '(still in the trash) fails with ID_DELETED whatever onConflict says: restore it with memory.restore; an id used in another ' +
    'space, or by a memory you cannot see, fails with ID_TAKEN. An id not in use is given to the new memory; when a named ' +
    'memory\'s path is taken, onConflict applies to that path as without an id, and the memory there keeps its own id.',
  input: z.object({
    space: spaceArg,
    memories: z.array(memoryInputSchema).min(1, 'memories must hold at least one memory').max(MAX_BATCH, `a batch holds at most ${MAX_BATCH} memories; split it into several calls`),
    onConflict: z.enum(['error', 'replace', 'ignore']).default('error').optional(),
  }),
  output: z.object({
    ids: z.array(z.string()).describe('The ids, in input order.'),
    created: z.number().int(),
    replaced: z.number().int(),
    ignored: z.number().int(),
    unchanged: z.number().int().describe('Memories left as they were: named ones a replace found identical, and ids that exist with identical content (no new version).'),
  }),
  access: memoryAccess('write'),
  hints: additive,
});

/** A window on a long memory's content: agents read a 100 KB memory in parts, not all at once. */
export const contentWindow = {
  maxChars: z.number().int().min(1).max(MAX_CONTENT_BYTES).optional().describe('Return at most this many characters of content (default: all).'),
  offset: z.number().int().min(0).max(MAX_CONTENT_BYTES).optional().describe('Start the content at this character (default 0).'),
};
const windowedMemorySchema = memorySchema.extend({
  totalChars: z.number().int().describe('Length of the whole content, in characters.'),
  offset: z.number().int().describe('Where the returned content starts.'),
  truncated: z.boolean().describe('Whether content is only part of it (read on with offset + its length).'),
});
/** MCP tools read at most this much content unless the agent asks for more (the context is precious). */
const agentWindow = { maxChars: 20_000 };

export const memoryGet = defineContract({
  name: 'memory.get',
  endpoint,
  summary: 'Fetch one memory by id.',
  description: 'Fetch a memory by id, with its content (a window of it with maxChars/offset).',
  input: z.object({ space: spaceArg, id: idSchema, ...contentWindow }),
  output: windowedMemorySchema,
  access: memoryAccess('read'),
  hints: readOnly,
  tool: true,
  toolDefaults: agentWindow,
});

export const memoryGetByPath = defineContract({
  name: 'memory.getByPath',
  endpoint,
  summary: 'Fetch one named memory by its path.',
  description: 'Fetch a named memory by path (tree + name), with its content (a window of it with maxChars/offset).',
  input: z.object({ space: spaceArg, path: memoryPathSchema, ...contentWindow }),
  output: windowedMemorySchema,
  access: memoryAccess('read'),
  hints: readOnly,
  tool: true,
  toolDefaults: agentWindow,
});

export const memoryUpdate = defineContract({
  name: 'memory.update',
  endpoint,
  summary: 'Change a memory (requires its current version).',
  description:
    'Change a memory. Pass the version you last read: if it changed since, CONFLICT instead of overwriting; read ' +
    'it again and retry. Only the fields you pass change; meta is replaced whole; temporal null clears it.',
  input: z.object({
    space: spaceArg,
    id: idSchema,
    version: positiveInt4.describe('The version you last read.'),
    content: contentSchema.optional(),
    tree: treeSchema.optional(),
    name: nameSchema.nullable().optional().describe('New name; null removes the name.'),
    meta: metaSchema.optional(),
    temporal: temporalSchema.nullable().optional(),
  }),
  output: memorySchema,
  access: memoryAccess('write'),
  hints: idempotentWrite,
  tool: true,
});

export const memoryDelete = defineContract({
  name: 'memory.delete',
  endpoint,
  summary: 'Delete a memory by id.',
  description: 'Delete one memory. It goes to the trash (memory.trash); memory.restore brings it back.',
  input: z.object({ space: spaceArg, id: idSchema }),
  output: z.object({ id: z.string(), deleted: z.literal(true) }),
  access: memoryAccess('write'),
  hints: destructive,
  tool: true,
});

export const memoryDeleteByPath = defineContract({
  name: 'memory.deleteByPath',
  endpoint,
  summary: 'Delete a named memory by its path.',
  description: 'Delete the named memory at a path. It goes to the trash; memory.restore brings it back.',
  input: z.object({ space: spaceArg, path: memoryPathSchema }),
  output: z.object({ id: z.string(), deleted: z.literal(true) }),
  access: memoryAccess('write'),
  hints: destructive,
  tool: true,
});

export const memoryDeleteTree = defineContract({
  name: 'memory.deleteTree',
  endpoint,
  summary: 'Delete every memory under a tree path.',
  description:
    'Delete all memories at and below a tree path; dryRun first counts them. The root ("/") needs confirm: true. ' +
    'Returns the ids; memory.restore with the same tree brings them back.',
  input: z.object({
    space: spaceArg,
    tree: treeSchema,
    dryRun: z.boolean().default(false).optional().describe('Only count what would be deleted.'),
    confirm: z.boolean().optional().describe('Required to delete the whole space ("/").'),
  }),
  output: bulkResultSchema.extend({
    ids: z.array(z.string()).describe('The ids of the memories deleted (empty in a dry run); memory.restore brings them back.'),
  }),
  access: memoryAccess('write'),
  hints: destructive,
  tool: true,
});

export const memoryCount = defineContract({
  name: 'memory.count',
  endpoint,
  summary: 'Count memories under a tree path.',
  description: 'Count the memories at and below a tree path (the whole space by default).',
  input: z.object({ space: spaceArg, tree: treeSchema.optional() }),
  output: z.object({ count: z.number().int() }),
  access: memoryAccess('read'),
  hints: readOnly,
  tool: true,
});

export const memoryTree = defineContract({
  name: 'memory.tree',
  endpoint,
  summary: 'Browse the tree, with memory counts.',
  description:
    'The paths below a tree with memory counts (deeper ones included), `levels` deep: how a space is organised.',
  input: z.object({
    space: spaceArg,
    tree: treeSchema.optional(),
    levels: z.number().int().min(1).max(10).default(1).optional().describe('How many levels deep to list (1-10).'),
  }),
  output: z.object({
    tree: z.string(),
    count: z.number().int().describe('Memories at and below the tree.'),
    children: z.array(z.object({ path: z.string(), count: z.number().int() })),
  }),
  access: memoryAccess('read'),
  hints: readOnly,
  tool: true,
});

const bulkMoveInput = z.object({
  space: spaceArg,
  from: treeSchema.describe('The tree to move or copy, with all below it.'),
  to: treeSchema.describe('Its new path ("from" becomes "to" in every path).'),
  dryRun: z.boolean().default(false).optional().describe('Only count what would change.'),
});

export const memoryMove = defineContract({
  name: 'memory.move',
  endpoint,
  summary: 'Move a subtree to another path.',
  description:
    'Move every memory at and below `from` to `to` (/inbox → /projects/alpha/inbox). A name collision fails ' +
    'with CONFLICT, changing nothing.',
  input: bulkMoveInput,
  output: bulkResultSchema,
  access: memoryAccess('write'),
  hints: { readOnly: false, destructive: true, idempotent: false },
  tool: true,
});

export const memoryCopy = defineContract({
  name: 'memory.copy',
  endpoint,
  summary: 'Copy a subtree to another path.',
  description: 'Copy every memory at and below `from` to `to`, as new memories. Fails with CONFLICT on a name collision.',
  input: bulkMoveInput,
  output: bulkResultSchema,
  access: memoryAccess('write'),
  hints: additive,
  tool: true,
});

export const searchModes = ['auto', 'keyword', 'semantic', 'hybrid'] as const;
export const searchFields = ['content', 'meta', 'temporal', 'createdBy', 'createdAt', 'updatedAt', 'version'] as const;

/** A keyword search ranks at most this many matches (server/search/keyword.ts says why); more sets `truncated`. */
export const SEARCH_RANK_LIMIT = 250;

export const memorySearch = defineContract({
  name: 'memory.search',
  endpoint,
  summary: 'Search memories by keywords or meaning.',
  description:
    'Find memories. `query` is web-search syntax: words (all must match), "exact phrase", -excluded, OR; ' +
    'without it, the newest. Filters: tree, meta (contains), where (JSONPath on meta), temporal. Returns ' +
    'snippets; get full text with memory.get or fields: ["content"]. mode: keyword (words), semantic (meaning; ' +
    'needs embeddings), hybrid (both), auto (hybrid when available, else keyword).',
  input: z.object({
    space: spaceArg,
    query: text({ max: 1000 }).optional().describe('What to look for (web-search syntax).'),
    mode: z.enum(searchModes).default('auto').optional(),
    tree: treeSchema.optional().describe('Only memories at or below this tree path.'),
    exactTree: z.boolean().optional().describe('Only memories exactly at `tree`, not below it.'),
    meta: metaSchema.optional().describe('Only memories whose meta contains this JSON object.'),
    where: whereSchema.optional(),
    temporal: temporalFilterSchema.optional(),
    limit: z.number().int().min(1).max(100).default(10).optional(),
    cursor: text({ max: 200 }).optional().describe('nextCursor from a previous page.'),
    fields: z.array(z.enum(searchFields)).optional().describe('Extra fields to include in each result.'),
    weights: z
      .object({ keyword: z.number().min(0).max(10), semantic: z.number().min(0).max(10) })
      .partial()
      .optional()
      .describe('Hybrid: weight of each ranking (default 1 each).'),
    candidates: z.number().int().min(10).max(1000).optional().describe('Hybrid: candidates taken from each ranking (default 100).'),
  }),
  output: z.object({
    mode: z.enum(['keyword', 'semantic', 'hybrid', 'list']),
    results: z.array(
      z.object({
        id: z.string(),
        path: z.string(),
        tree: z.string(),
        name: z.string().nullable(),
        score: z.number().nullable().describe('keyword: rank; semantic: cosine similarity in [0,1]; hybrid: fused.'),
        snippet: z.string(),
        content: z.string().optional(),
        meta: z.record(z.string(), z.unknown()).optional(),
        temporal: z.object({ start: z.string(), end: z.string().nullable() }).nullable().optional(),
        createdBy: z.string().nullable().optional(),
        createdAt: z.string().optional(),
        updatedAt: z.string().optional(),
        version: z.number().int().optional(),
      }),
    ),
    nextCursor: z.string().nullable(),
    embeddingsPending: z.number().int().optional().describe('Memories not yet embedded (semantic results may miss them).'),
    truncated: z.boolean().optional().describe(
      `keyword: more than ${SEARCH_RANK_LIMIT} memories matched and the results are the best of the first ${SEARCH_RANK_LIMIT} found; ` +
      'narrow the search (more words, a deeper tree, filters) to rank every match.'),
  }),
  access: memoryAccess('read'),
  hints: readOnly,
  tool: true,
});

export const memoryContracts = [
  memoryCreate, memoryBatchCreate, memoryGet, memoryGetByPath, memoryUpdate, memoryDelete, memoryDeleteByPath,
  memoryDeleteTree, memoryCount, memoryTree, memoryMove, memoryCopy, memorySearch,
];
