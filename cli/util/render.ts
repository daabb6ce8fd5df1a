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

export function table(rows: Rec[], cols: string[]): string {
  if (!rows.length) return '(none)';
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => (i === vals.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cols.map((c) => c.toUpperCase())), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

/** The default rendering of an operation's result, chosen by operation name and shape. */
export function renderResult(op: string, r: any): string {
  switch (op) {
    case 'memory.create':
      return `${r.outcome === 'created' ? 'Created' : r.outcome === 'replaced' ? 'Replaced' : 'Kept existing'} ${r.path}  (id ${r.id}, version ${r.version})`;
    case 'memory.update':
      return `Updated ${r.path}  (id ${r.id}, now version ${r.version})`;
    case 'memory.revert':
      return `Restored ${r.path}  (id ${r.id}, now version ${r.version})`;
    case 'memory.delete':
    case 'memory.deleteByPath':
      return `Deleted ${r.id} (memory history keeps it; \`me memory revert\` brings it back)`;
    case 'memory.deleteTree':
      return r.dryRun ? `Would delete ${r.count} memories` : `Deleted ${r.count} memories`;
    case 'memory.move':
      return r.dryRun ? `Would move ${r.count} memories` : `Moved ${r.count} memories`;
    case 'memory.copy':
      return r.dryRun ? `Would copy ${r.count} memories` : `Copied ${r.count} memories`;
    case 'memory.count':
      return String(r.count);
    case 'memory.tree':
      return treeText(r);
    case 'memory.batchCreate':
      return `created ${r.created}, replaced ${r.replaced}, ignored ${r.ignored}`;
    case 'memory.search': {
      if (!r.results.length) return 'No memories found.';
      const out = r.results.map((h: Rec) => `${h.path}  ${h.id}${h.score !== null && h.score !== undefined ? `  score ${Number(h.score).toFixed(3)}` : ''}\n   ${String(h.snippet).replace(/\s+/g, ' ').slice(0, 200)}`);
      if (r.nextCursor) out.push(`\nMore results: --cursor ${r.nextCursor}`);
      if (r.truncated) out.push('\nMany more memories matched than were ranked: narrow the search (more words, a deeper --tree, filters).');
      return out.join('\n');
    }
    case 'memory.history':
      return table(r.events.map((e: Rec) => ({ version: e.version, op: e.op, at: e.at, path: e.snapshot.path, actor: e.actor })), ['version', 'op', 'at', 'path', 'actor']) +
        (r.nextCursor ? `\n\nOlder versions: --cursor ${r.nextCursor}` : '');
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
