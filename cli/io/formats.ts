import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';

// Import/export formats. One memory is an Item; the Markdown directory layout maps the tree to folders
// and the name to the file name: /projects/alpha/decisions → projects/alpha/decisions.md. Front matter
// (YAML between --- lines) holds the meta keys, plus the reserved keys `temporal` and `unnamed`.

export interface Item {
  tree: string;
  name?: string | null;
  content: string;
  meta?: Record<string, unknown>;
  temporal?: { start: string; end?: string | null } | null;
}

export type Format = 'json' | 'ndjson' | 'yaml' | 'md';
export const FORMATS: Format[] = ['json', 'ndjson', 'yaml', 'md'];

export function detectFormat(path: string, isDir: boolean): Format {
  if (isDir) return 'md';
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.md' || ext === '.markdown') return 'md';
  throw new Error(`cannot tell the format of ${path} from its extension; pass --format json|ndjson|yaml|md`);
}

const LABEL_BAD = /[^A-Za-z0-9_]/g;
const NAME_OK = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A folder name as a tree label (ltree labels allow letters, digits and _). */
const label = (s: string) => s.replace(LABEL_BAD, '_') || '_';
/** A file name as a memory name. */
function nameOf(s: string): string {
  let n = s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 128);
  if (!/^[A-Za-z0-9_]/.test(n)) n = '_' + n.slice(0, 127);
  return n;
}

const FRONT = /^---\r?\n(?:([\s\S]*?)\r?\n)?---\r?\n/;

export async function parseMarkdown(text: string, tree: string, fileName: string): Promise<Item> {
  const m = FRONT.exec(text);
  let meta: Record<string, unknown> = {};
  let content = text;
  if (m) {
    content = text.slice(m[0].length);
    if (m[1]?.trim()) {
      const { parse } = await import('yaml');
      const fm = parse(m[1]);
      if (fm && typeof fm === 'object' && !Array.isArray(fm)) meta = fm as Record<string, unknown>;
    }
  }
  const { temporal, unnamed, ...rest } = meta as { temporal?: Item['temporal']; unnamed?: boolean };
  const base = fileName.replace(/\.(md|markdown)$/i, '');
  return {
    tree,
    name: unnamed ? null : nameOf(base),
    content,
    ...(Object.keys(rest).length ? { meta: normalizeDates(rest) as Record<string, unknown> } : {}),
    ...(temporal ? { temporal: normalizeDates(temporal) as Item['temporal'] } : {}),
  };
}

// YAML turns unquoted timestamps into Date objects; memories hold JSON, so keep them as ISO strings.
function normalizeDates(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(normalizeDates);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalizeDates(x)]));
  return v;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

export async function renderMarkdown(item: Item & { id?: string }): Promise<string> {
  // Postgres jsonb does not keep key order, so front matter is written in a canonical order:
  // meta keys alphabetically, then the reserved keys.
  const meta = item.meta ?? {};
  const fm = sortKeys(meta) as Record<string, unknown>;
  if (item.temporal) fm.temporal = item.temporal.end ? item.temporal : { start: item.temporal.start };
  if (!item.name) fm.unnamed = true;
  // Content that itself starts with a front-matter fence needs an (empty) front matter to survive a round trip.
  if (!Object.keys(fm).length) return FRONT.test(item.content) ? `---\n---\n${item.content}` : item.content;
  const { stringify } = await import('yaml');
  return `---\n${stringify(fm)}---\n${item.content}`;
}

/** Every .md file under dir, as items (tree from the folders, name from the file). */
export async function readMarkdownDir(dir: string, onSkip: (file: string, why: string) => void): Promise<Item[]> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(md|markdown)$/i.test(e.name)) files.push(p);
    }
  };
  walk(dir);
  const items: Item[] = [];
  for (const f of files) {
    const rel = relative(dir, f).split(sep);
    const fileName = rel.pop()!;
    const tree = '/' + rel.map(label).join('/');
    const item = await parseMarkdown(readFileSync(f, 'utf8'), tree, fileName);
    if (!item.content) {
      onSkip(f, 'empty file');
      continue;
    }
    items.push(item);
  }
  return items;
}

/** Parses a json / ndjson / yaml document of memories. */
export async function parseDocument(text: string, format: Exclude<Format, 'md'>, source: string): Promise<Item[]> {
  let raw: unknown;
  if (format === 'ndjson') {
    raw = text.split(/\r?\n/).filter((l) => l.trim()).map((l, i) => {
      try {
        return JSON.parse(l);
      } catch (err) {
        throw new Error(`${source}:${i + 1}: not valid JSON: ${(err as Error).message}`);
      }
    });
  } else if (format === 'json') {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new Error(`${source}: not valid JSON: ${(err as Error).message}`);
    }
  } else {
    const { parse } = await import('yaml');
    raw = normalizeDates(parse(text));
  }
  const list = Array.isArray(raw) ? raw : (raw as { memories?: unknown })?.memories;
  if (!Array.isArray(list)) throw new Error(`${source}: expected a list of memories (or {"memories": [...]})`);
  return list.map((x, i) => toItem(x, `${source}: item ${i + 1}`));
}

function toItem(x: unknown, where: string): Item {
  const o = x as Record<string, unknown>;
  if (!o || typeof o !== 'object' || typeof o.content !== 'string') throw new Error(`${where}: needs a "content" string`);
  let tree = typeof o.tree === 'string' ? o.tree : undefined;
  let name = typeof o.name === 'string' ? o.name : null;
  if (tree === undefined && typeof o.path === 'string') {
    // A bare path names the memory: /a/b/name.
    const at = o.path.lastIndexOf('/');
    tree = at > 0 ? o.path.slice(0, at) : '/';
    name = o.path.slice(at + 1) || null;
  }
  return {
    tree: tree ?? '/',
    name,
    content: o.content,
    ...(o.meta && typeof o.meta === 'object' ? { meta: o.meta as Record<string, unknown> } : {}),
    ...(o.temporal && typeof o.temporal === 'object' ? { temporal: o.temporal as Item['temporal'] } : {}),
  };
}

/** Where an exported memory goes in a Markdown directory. */
export function markdownFile(dir: string, item: Item & { id: string }): string {
  const parts = item.tree.split('/').filter(Boolean);
  return join(dir, ...parts, `${item.name ?? item.id}.md`);
}

export function writeFileMkdir(file: string, text: string) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

export const isDirectory = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export { NAME_OK };
