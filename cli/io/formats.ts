import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { memoryTemporal, TimeError, type TimeContext } from '../util/time.js';
import { labelFromFolder, nameFromFile } from './names.js';

// Import/export formats. One memory is an Item; the Markdown directory layout maps the tree to folders
// and the name to the file name: /projects/alpha/decisions → projects/alpha/decisions.md. Front matter
// (YAML between --- lines) holds the meta keys, plus the reserved keys `temporal` and `unnamed`.

export interface Item {
  /** The memory's id: from the input (an export) or assigned before sending (io/ids.ts). */
  id?: string;
  tree: string;
  name?: string | null;
  content: string;
  meta?: Record<string, unknown>;
  temporal?: { start: string; end?: string | null } | null;
}

/** What is sent for one item: exactly the operation's input shape. */
export function toMemoryInput(i: Item) {
  return {
    ...(i.id ? { id: i.id } : {}),
    content: i.content,
    tree: i.tree,
    ...(i.name ? { name: i.name } : {}),
    ...(i.meta ? { meta: i.meta } : {}),
    ...(i.temporal ? { temporal: i.temporal } : {}),
  };
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
  throw new ImportError(`cannot tell the format of ${path} from its extension; pass --format json|ndjson|yaml|md`);
}

/** A problem in an import's input: the message starts with the file (and line) it is in. */
export class ImportError extends Error {}

// Where each parsed item came from (`notes/a.md:3`, `export.ndjson:12`), for error messages. Kept
// beside the items rather than in them, so the items are exactly what is sent.
const origins = new WeakMap<Item, () => string>();
/** `file:line` (or `file: item N`) of an item read by this module. */
export const whereOf = (item: Item): string => origins.get(item)?.() ?? 'input';

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const FRONT = /^---\r?\n(?:([\s\S]*?)\r?\n)?---\r?\n/;

/** The line (1-based, in the file) of a top-level front-matter key. */
function frontLine(front: string, key: string): number {
  const i = front.split(/\r?\n/).findIndex((l) => l.startsWith(`${key}:`));
  return i < 0 ? 1 : i + 2;
}

// Problems found while reading an item that do not stop the reading (a bad time): reported with
// every other problem of the input before anything is sent (io/validate.ts).
const readProblems = new WeakMap<Item, string[]>();
export const problemsOf = (item: Item): string[] => readProblems.get(item) ?? [];

/** A memory's time from an input file, normalized (dates, zones); a bad one is recorded for the item. */
function itemTime(value: unknown, tc: TimeContext, problems: string[]): Item['temporal'] | undefined {
  try {
    return memoryTemporal(value, tc);
  } catch (err) {
    if (!(err instanceof TimeError)) throw err;
    problems.push(`temporal: ${err.message}`);
    return undefined;
  }
}

export interface MarkdownSource { file: string; tc: TimeContext }

export async function parseMarkdown(text: string, tree: string, fileName: string, src: MarkdownSource): Promise<Item> {
  const m = FRONT.exec(text);
  let meta: Record<string, unknown> = {};
  let content = text;
  if (m) {
    content = text.slice(m[0].length);
    if (m[1]?.trim()) {
      const { parse } = await import('yaml');
      let fm: unknown;
      try {
        fm = parse(m[1]);
      } catch (err) {
        const line = ((err as { linePos?: { line: number }[] }).linePos?.[0]?.line ?? 0) + 1;
        throw new ImportError(`${src.file}:${line}: the front matter is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
      }
      if (fm && typeof fm === 'object' && !Array.isArray(fm)) meta = fm as Record<string, unknown>;
      else if (fm !== null) throw new ImportError(`${src.file}:2: the front matter must be key: value lines (meta), not ${Array.isArray(fm) ? 'a list' : 'a single value'}`);
    }
  }
  const { temporal, unnamed, ...rest } = meta as { temporal?: unknown; unnamed?: boolean };
  const base = fileName.replace(/\.(md|markdown)$/i, '');
  const problems: string[] = [];
  const time = temporal !== undefined && temporal !== null ? itemTime(temporal, src.tc, problems) : undefined;
  const item: Item = {
    // An unnamed memory is exported as <id>.md: the file name gives its id back.
    ...(unnamed && UUIDV7.test(base) ? { id: base.toLowerCase() } : {}),
    tree,
    name: unnamed ? null : nameFromFile(base),
    content,
    ...(Object.keys(rest).length ? { meta: normalizeDates(rest) as Record<string, unknown> } : {}),
    ...(time ? { temporal: time } : {}),
  };
  // A problem in the front matter is reported at its line; the rest of the memory at the file.
  if (problems.length) readProblems.set(item, problems.map((p) => `${src.file}:${frontLine(m?.[1] ?? '', 'temporal')}: ${p}`));
  origins.set(item, () => src.file);
  return item;
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

/** Every .md file under dir, as items (tree from the folders, name from the file: see io/names.ts). */
export async function readMarkdownDir(
  dir: string, tc: TimeContext, onSkip: (file: string, why: string) => void, onRename: (file: string, item: Item) => void,
): Promise<Item[]> {
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
    const tree = '/' + rel.map(labelFromFolder).join('/');
    const item = await parseMarkdown(readFileSync(f, 'utf8'), tree, fileName, { file: f, tc });
    if (!item.content) {
      onSkip(f, 'empty file');
      continue;
    }
    const typed = [...rel, fileName.replace(/\.(md|markdown)$/i, '')].join('/');
    const mapped = [...tree.split('/').filter(Boolean), item.name ?? ''].join('/');
    if (item.name && typed !== mapped) onRename(relative(dir, f), item);
    items.push(item);
  }
  return items;
}

/**
 * Line numbers of the items of a JSON or YAML list, for messages: the text is parsed again with
 * positions only when a line is first asked for (JSON is valid YAML here).
 */
async function itemLines(text: string): Promise<(index: number) => number | undefined> {
  const { parseDocument, LineCounter } = await import('yaml');
  let starts: (number | undefined)[] | undefined;
  const counter = new LineCounter();
  return (index) => {
    if (!starts) {
      type Node = { items?: { range?: number[]; key?: { value?: unknown }; value?: Node }[]; range?: number[] };
      const root = parseDocument(text, { lineCounter: counter }).contents as Node | null;
      const list = root?.items?.find((p) => p.key?.value === 'memories')?.value?.items ?? root?.items ?? [];
      starts = list.map((n) => n.range?.[0]);
    }
    const start = starts[index];
    return start === undefined ? undefined : counter.linePos(start).line;
  };
}

/** Parses a json / ndjson / yaml document of memories. */
export async function parseDocument(text: string, format: Exclude<Format, 'md'>, source: string, tc: TimeContext): Promise<Item[]> {
  let raw: unknown;
  let lineOf: (index: number) => number | undefined;
  if (format === 'ndjson') {
    const numbers: number[] = [];
    raw = text.split(/\r?\n/).flatMap((l, i) => {
      if (!l.trim()) return [];
      numbers.push(i + 1);
      try {
        return [JSON.parse(l)];
      } catch (err) {
        throw new ImportError(`${source}:${i + 1}: not valid JSON: ${(err as Error).message}`);
      }
    });
    lineOf = (i) => numbers[i];
  } else if (format === 'json') {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ImportError(`${source}: not valid JSON: ${(err as Error).message}`);
    }
    lineOf = await itemLines(text);
  } else {
    const { parse } = await import('yaml');
    try {
      raw = normalizeDates(parse(text));
    } catch (err) {
      const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
      throw new ImportError(`${source}${line ? `:${line}` : ''}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    lineOf = await itemLines(text);
  }
  const list = Array.isArray(raw) ? raw : (raw as { memories?: unknown })?.memories;
  if (!Array.isArray(list)) throw new ImportError(`${source}: expected a list of memories (or {"memories": [...]})`);
  const where = (i: number) => {
    const line = lineOf(i);
    return line ? `${source}:${line}` : `${source}: item ${i + 1}`;
  };
  return list.map((x, i) => {
    const problems: string[] = [];
    const item = toItem(x, tc, problems);
    origins.set(item, () => where(i));
    if (problems.length) readProblems.set(item, problems.map((p) => `${where(i)}: ${p}`));
    return item;
  });
}

/** One memory of a JSON/NDJSON/YAML document; problems that do not stop reading go to `problems`. */
function toItem(x: unknown, tc: TimeContext, problems: string[]): Item {
  const o = (x && typeof x === 'object' && !Array.isArray(x) ? x : {}) as Record<string, unknown>;
  if (typeof o.content !== 'string') problems.push('needs a "content" string');
  let tree = typeof o.tree === 'string' ? o.tree : undefined;
  let name = typeof o.name === 'string' ? o.name : null;
  if (tree === undefined && typeof o.path === 'string') {
    // A bare path names the memory: /a/b/name.
    const at = o.path.lastIndexOf('/');
    tree = at > 0 ? o.path.slice(0, at) : '/';
    name = o.path.slice(at + 1) || null;
  }
  if (o.id !== undefined && o.id !== null && typeof o.id !== 'string') problems.push('"id" must be a string (a uuidv7)');
  if (o.meta !== undefined && o.meta !== null && (typeof o.meta !== 'object' || Array.isArray(o.meta))) problems.push('"meta" must be an object');
  const temporal = o.temporal !== undefined && o.temporal !== null ? itemTime(o.temporal, tc, problems) : undefined;
  return {
    ...(typeof o.id === 'string' ? { id: o.id } : {}),
    tree: tree ?? '/',
    name,
    content: typeof o.content === 'string' ? o.content : '',
    ...(o.meta && typeof o.meta === 'object' && !Array.isArray(o.meta) ? { meta: o.meta as Record<string, unknown> } : {}),
    ...(temporal ? { temporal } : {}),
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
