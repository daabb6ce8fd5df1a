// Compact text for each tool result, next to structuredContent, for clients that only show text.
// Search is snippet-first: what matched comes before where it lives.

type Json = Record<string, any>;

const compact = (v: unknown) => JSON.stringify(v);

function renderMemory(m: Json): string {
  const head = [`${m.path} (id ${m.id}, version ${m.version}${m.outcome ? `, ${m.outcome}` : ''})`];
  if (m.meta && Object.keys(m.meta).length) head.push(`meta: ${compact(m.meta)}`);
  if (m.temporal) head.push(`temporal: ${m.temporal.start}${m.temporal.end ? ` .. ${m.temporal.end}` : ''}`);
  if (m.truncated) {
    const end = m.offset + m.content.length;
    head.push(`content: characters ${m.offset}-${end} of ${m.totalChars}${end < m.totalChars ? `; read on with offset ${end}` : ''}`);
  }
  return `${head.join('\n')}\n\n${m.content}`;
}

function renderSearch(r: Json): string {
  if (!r.results.length) return `no memories found (mode ${r.mode})`;
  const lines = [`${r.results.length} result${r.results.length === 1 ? '' : 's'} (mode ${r.mode})`];
  for (const x of r.results as Json[]) {
    lines.push(`- ${String(x.snippet).replace(/\s+/g, ' ')}`);
    lines.push(`  ${x.path} · id ${x.id}${x.score == null ? '' : ` · score ${Number(x.score).toFixed(3)}`}`);
    if (x.content !== undefined) lines.push(`  content: ${x.content}`);
  }
  if (r.nextCursor) lines.push(`more: pass cursor "${r.nextCursor}"`);
  if (r.truncated) lines.push('many more memories matched than were ranked: narrow the search (more words, a deeper tree, filters) for the best matches');
  if (r.embeddingsPending) lines.push(`${r.embeddingsPending} memories are not embedded yet`);
  return lines.join('\n');
}

function renderTree(t: Json): string {
  return [`${t.tree} (${t.count})`, ...(t.children as Json[]).map((c) => `  ${c.path} (${c.count})`)].join('\n');
}

/** Text for a tool's result: tailored for the common shapes, compact JSON otherwise. */
export function renderResult(tool: string, result: unknown): string {
  const r = result as Json;
  if (tool === 'me_memory_search') return renderSearch(r);
  if (tool === 'me_memory_tree') return renderTree(r);
  if (r && typeof r === 'object' && typeof r.content === 'string' && typeof r.id === 'string') return renderMemory(r);
  return compact(result);
}

/** Search results with the snippet first (agents read the first field first). */
export function shapeResult(tool: string, result: unknown): Record<string, unknown> {
  const r = result as Json;
  if (tool === 'me_memory_search' && Array.isArray(r?.results)) {
    return { ...r, results: r.results.map(({ snippet, path, id, ...rest }: Json) => ({ snippet, path, id, ...rest })) };
  }
  return r;
}
