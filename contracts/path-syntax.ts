// Path syntax without zod, so the CLI can check paths before sending anything (paths.ts builds the
// schemas on these). Tree paths are ltree values. Labels are restricted to what ltree accepts on
// every supported Postgres (15+): letters, digits and underscore (hyphens only arrived in Postgres 16).
export const LABEL = /^[A-Za-z0-9_]{1,255}$/;
export const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const NAME_RULE = 'a name is 1-128 characters of letters, digits, _ . - and must not start with . or -';

// A tree path is part of the unique (space, tree, name) index, whose entries Postgres caps at
// 2,704 bytes: 64 levels of at most 1,500 characters in all stay below it with room to spare.
export const MAX_TREE_LEVELS = 64;
export const MAX_TREE_CHARS = 1500;

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
  if (labels.length > MAX_TREE_LEVELS) return { ok: false, error: `"${input}" is not a valid path: deeper than ${MAX_TREE_LEVELS} levels` };
  const value = labels.join('.');
  if (value.length > MAX_TREE_CHARS) return { ok: false, error: `a path may hold at most ${MAX_TREE_CHARS} characters of labels; this one has ${value.length}` };
  return { ok: true, value };
}

/** `/a/b/name` → { tree: 'a.b', name: 'name' }, or why it is not the path of a named memory. */
export function parseMemoryPath(input: string): { ok: true; value: { tree: string; name: string } } | { ok: false; error: string } {
  const s = input.trim().replace(/\/+$/, '');
  const at = s.lastIndexOf('/');
  const name = at >= 0 ? s.slice(at + 1) : s;
  if (!NAME.test(name)) return { ok: false, error: `"${input}" is not a memory path: it must end in a name like /notes/todo` };
  const tree = parseTree(at > 0 ? s.slice(0, at) : '/');
  return tree.ok ? { ok: true, value: { tree: tree.value, name } } : tree;
}

/** ltree text to the displayed form: `a.b` → `/a/b`, `` → `/`. */
export const showTree = (ltree: string): string => '/' + ltree.replaceAll('.', '/');

/** The addressable path of a memory: its tree plus its name, if it has one. */
export const showPath = (ltree: string, name: string | null): string =>
  name ? (ltree ? `${showTree(ltree)}/${name}` : `/${name}`) : showTree(ltree);
