// Human-readable renderings of operation results (the default output). --json/--yaml bypass these.

type Rec = Record<string, any>;

const isMemory = (r: Rec) => r && typeof r.id === 'string' && typeof r.content === 'string' && 'version' in r && 'path' in r;

export function memoryText(m: Rec, heading?: string): string {
  const lines = [`${heading ? heading + ' ' : ''}${m.path}  (id ${m.id}, version ${m.version})`];
  if (m.meta && Object.keys(m.meta).length) lines.push(`meta: ${JSON.stringify(m.meta)}`);
  if (m.temporal) lines.push(`time: ${m.temporal.start}${m.temporal.end ? ` → ${m.temporal.end}` : ''}`);
  if (m.updatedAt) lines.push(`updated: ${m.updatedAt}`);
  lines.push('', m.content);
  return lines.join('\n');
}

export function treeText(r: { tree: string; count: number; children: { path: string; count: number }[] }): string {
  const root = r.tree || '/';
  const out = [`${root} (${r.count})`];
  const parent = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';
  // Byte order keeps every subtree contiguous ('/' sorts before any label character).
  const kids = [...r.children].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const lastOf = new Map<string, boolean>();
  kids.forEach((c, i) => {
    const last = !kids.slice(i + 1).some((k) => parent(k.path) === parent(c.path));
    lastOf.set(c.path, last);
    let prefix = '';
    for (let a = parent(c.path); a !== root && a !== '/' && a.length > root.length; a = parent(a)) {
      prefix = (lastOf.get(a) ? '   ' : '│  ') + prefix;
    }
    out.push(`${prefix}${last ? '└─ ' : '├─ '}${c.path.slice(c.path.lastIndexOf('/') + 1)} (${c.count})`);
  });
  return out.join('\n');
}

/** "1 memory", "2 memories". */
export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** A column header from a field name: `lastUsedAt` → `LAST USED AT`. */
const header = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toUpperCase();

/** A column: a field, or [field, header]. */
export type Column = string | [string, string];

export function table(rows: Rec[], cols: Column[]): string {
  if (!rows.length) return '(none)';
  const keys = cols.map((c) => (Array.isArray(c) ? c[0] : c));
  const heads = cols.map((c) => (Array.isArray(c) ? c[1] : header(c)));
  const cell = (v: unknown) =>
    v === null || v === undefined ? ''
    : typeof v === 'string' && ISO.test(v) ? `${v.slice(0, 10)} ${v.slice(11, 16)}`
    : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const widths = keys.map((k, i) => Math.max(heads[i]!.length, ...rows.map((r) => cell(r[k]).length)));
  const line = (vals: string[]) => vals.map((v, i) => (i === vals.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(heads), ...rows.map((r) => line(keys.map((k) => cell(r[k]))))].join('\n');
}

const memories = (n: number) => plural(n, 'memory', 'memories');

/** The default rendering of an operation's result, chosen by operation name and shape. */
export function renderResult(op: string, r: any): string {
  switch (op) {
    case 'memory.create': {
      const verb = ({ created: 'Created', replaced: 'Replaced', ignored: 'Kept the existing', unchanged: 'Unchanged:' } as Record<string, string>)[r.outcome] ?? r.outcome;
      return `${verb} ${r.path}  (id ${r.id}, version ${r.version})`;
    }
    case 'memory.update':
      return `Updated ${r.path}  (id ${r.id}, now version ${r.version})`;
    case 'memory.revert':
      return `Restored ${r.path}  (id ${r.id}, now version ${r.version})`;
    case 'memory.delete':
    case 'memory.deleteByPath':
      return `Deleted memory ${r.id} (\`me restore ${r.id}\` brings it back).`;
    case 'memory.deleteTree':
      return r.dryRun ? `Would delete ${memories(r.count)} (dry run: nothing deleted).`
        : [`Deleted ${memories(r.count)}${r.count ? ' (`me trash` lists them, `me restore` brings them back):' : '.'}`, ...(r.ids ?? [])].join('\n');
    case 'memory.trash':
      return (r.items.length ? table(r.items.map((t: Rec) => ({ deleted: t.deletedAt, by: t.deletedByName ?? t.deletedBy, path: t.path, id: t.id, snippet: String(t.snippet).replace(/\s+/g, ' ').slice(0, 60) })),
        ['deleted', 'by', 'path', 'id', 'snippet']) : 'The trash is empty.') + (r.nextCursor ? `\n\nOlder deletions: --cursor ${r.nextCursor}` : '');
    case 'memory.restore':
      return [`${r.dryRun ? 'Would restore' : 'Restored'} ${memories(r.count)}${r.count ? ':' : '.'}`,
        ...r.restored.map((m: Rec) => `  ${m.path}  (id ${m.id}${r.dryRun ? '' : `, version ${m.version}`})`)].join('\n');
    case 'memory.move':
      return r.dryRun ? `Would move ${memories(r.count)} (dry run: nothing moved).` : `Moved ${memories(r.count)}.`;
    case 'memory.copy':
      return r.dryRun ? `Would copy ${memories(r.count)} (dry run: nothing copied).` : `Copied ${memories(r.count)}.`;
    case 'memory.count':
      return String(r.count);
    case 'memory.tree':
      return treeText(r);
    case 'memory.batchCreate':
      return `Stored ${memories(r.ids.length)}: ${r.created} created, ${r.replaced} replaced, ${r.unchanged ?? 0} unchanged, ${r.ignored} kept as they were.`;
    case 'memory.search': {
      if (!r.results.length) return 'No memories found.';
      const out = r.results.map((h: Rec) => `${h.path}  ${h.id}${h.score !== null && h.score !== undefined ? `  score ${Number(h.score).toFixed(3)}` : ''}\n   ${String(h.snippet).replace(/\s+/g, ' ').slice(0, 200)}`);
      if (r.nextCursor) out.push(`\nMore results: --cursor ${r.nextCursor}`);
      if (r.truncated) out.push('\nMany more memories matched than were ranked: narrow the search (more words, a deeper --tree, filters).');
      return out.join('\n');
    }
    case 'memory.history': {
      const feed = r.events.some((e: Rec) => e.snapshot.content === undefined);
      const rows = r.events.map((e: Rec) => ({ at: e.at, op: e.op, path: e.snapshot.path, version: e.version, by: e.actorName ?? e.actor, id: e.memoryId }));
      const cols: Column[] = feed ? [['at', 'WHEN'], ['op', 'CHANGE'], 'path', 'version', 'by', 'id'] : ['version', ['op', 'CHANGE'], ['at', 'WHEN'], 'path', 'by'];
      return (rows.length ? table(rows, cols) : 'No changes.') + (r.nextCursor ? `\n\nOlder changes: --cursor ${r.nextCursor}` : '');
    }
  }
  if (isMemory(r)) return memoryText(r);
  return generic(r);
}

/** Indented key: value lines for anything else. */
export function generic(v: unknown, indent = ''): string {
  if (v === null || typeof v !== 'object') return indent + String(v);
  if (Array.isArray(v)) {
    if (!v.length) return indent + '(none)';
    if (v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) {
      const cols = [...new Set(v.flatMap((x) => Object.keys(x)))];
      return table(v as Rec[], cols).split('\n').map((l) => indent + l).join('\n');
    }
    return v.map((x) => indent + '- ' + (typeof x === 'object' ? JSON.stringify(x) : String(x))).join('\n');
  }
  return Object.entries(v as Rec)
    .map(([k, x]) => (x && typeof x === 'object' ? `${indent}${k}:\n${generic(x, indent + '  ')}` : `${indent}${k}: ${x ?? ''}`))
    .join('\n');
}
