import { z } from 'zod';
import { NAME, NAME_RULE, parseMemoryPath, parseTree } from './path-syntax.js';

export { LABEL, MAX_TREE_CHARS, MAX_TREE_LEVELS, NAME, parseMemoryPath, parseTree, showPath, showTree } from './path-syntax.js';

/** A tree path input: accepts `/a/b` or `a.b`, yields ltree text. */
export const treeSchema = z
  .string()
  .max(4096)
  .transform((v, ctx) => {
    const r = parseTree(v);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.error });
      return z.NEVER;
    }
    return r.value;
  })
  .describe('A tree path like "/projects/alpha" ("/" = root).');

export const nameSchema = z
  .string()
  .regex(NAME, NAME_RULE)
  .describe('Unique within its tree: the memory is then <tree>/<name>.');

/** `/a/b/name` → { tree: 'a.b', name: 'name' }. */
export const memoryPathSchema = z
  .string()
  .max(4096)
  .transform((v, ctx) => {
    const r = parseMemoryPath(v);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.error });
      return z.NEVER;
    }
    return r.value;
  })
  .describe('A named memory\'s path (tree + name), e.g. "/projects/alpha/decisions".');
