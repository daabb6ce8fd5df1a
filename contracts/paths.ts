import { z } from 'zod';

// Tree paths are ltree values. Labels are restricted to what ltree accepts on every supported
// Postgres (15+): letters, digits and underscore (hyphens only arrived in Postgres 16).
const LABEL = /^[A-Za-z0-9_]{1,255}$/;
export const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Parses `/a/b`, `a/b`, `a.b`, `/` or `` into ltree text (`a.b`, `` for the root), or explains why not. */
export function parseTree(input: string): { ok: true; value: string } | { ok: false; error: string } {
  const s = input.trim();
  if (s === '' || s === '/' || s === '.') return { ok: true, value: '' };
  const slashed = s.includes('/');
  const body = slashed ? s.replace(/^\/+/, '').replace(/\/+$/, '') : s;
  const labels = body.split(slashed ? '/' : '.');
  for (const label of labels) {
    if (label === '') return { ok: false, error: `"${input}" is not a valid path: empty label` };
    if (!LABEL.test(label)) {
      return {
        ok: false,
        error: `"${input}" is not a valid path: label "${label}" may only contain letters, digits and _`,
      };
    }
  }
  if (labels.length > 64) return { ok: false, error: `"${input}" is not a valid path: deeper than 64 levels` };
  return { ok: true, value: labels.join('.') };
}

/** ltree text to the displayed form: `a.b` → `/a/b`, `` → `/`. */
export const showTree = (ltree: string): string => '/' + ltree.replaceAll('.', '/');

/** The addressable path of a memory: its tree plus its name, if it has one. */
export const showPath = (ltree: string, name: string | null): string =>
  name ? (ltree ? `${showTree(ltree)}/${name}` : `/${name}`) : showTree(ltree);

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
  .describe('A tree path such as "/projects/alpha" (or "projects.alpha"); "/" is the root.');

export const nameSchema = z
  .string()
  .regex(NAME, 'a name is 1-128 characters of letters, digits, _ . - and must not start with . or -')
  .describe('A name unique within its tree, making the memory addressable as <tree>/<name>.');

/** `/a/b/name` → { tree: 'a.b', name: 'name' }. */
export const memoryPathSchema = z
  .string()
  .max(4096)
  .transform((v, ctx) => {
    const s = v.trim().replace(/\/+$/, '');
    const at = s.lastIndexOf('/');
    const name = at >= 0 ? s.slice(at + 1) : s;
    if (!NAME.test(name)) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a memory path: it must end in a name like /notes/todo` });
      return z.NEVER;
    }
    const tree = parseTree(at > 0 ? s.slice(0, at) : '/');
    if (!tree.ok) {
      ctx.addIssue({ code: 'custom', message: tree.error });
      return z.NEVER;
    }
    return { tree: tree.value, name };
  })
  .describe('The path of a named memory: its tree and name, e.g. "/projects/alpha/decisions".');
