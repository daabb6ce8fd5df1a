import { diffLines } from 'diff';

/** A line diff of two texts: removed lines red, added green, long unchanged runs folded. */
export function Diff({ from, to, label }: { from: string; to: string; label?: string }) {
  const parts = diffLines(from, to);
  if (parts.every((p) => !p.added && !p.removed)) return <p class="muted">No change in the content.</p>;
  const rows: { kind: 'ins' | 'del' | 'same'; text: string }[] = [];
  for (const p of parts) {
    const lines = p.value.replace(/\n$/, '').split('\n');
    if (p.added || p.removed) {
      for (const l of lines) rows.push({ kind: p.added ? 'ins' : 'del', text: `${p.added ? '+' : '-'} ${l}` });
      continue;
    }
    const shown = lines.length > 6 ? [...lines.slice(0, 2), null, ...lines.slice(-2)] : lines;
    for (const l of shown) rows.push({ kind: 'same', text: l === null ? `  … ${lines.length - 4} unchanged lines` : `  ${l}` });
  }
  return (
    <pre class="diff" aria-label={label ?? 'Changes'} data-testid="diff">
      {rows.map((r, i) => (r.kind === 'ins' ? <ins key={i}>{r.text}</ins> : r.kind === 'del' ? <del key={i}>{r.text}</del> : <div key={i}>{r.text}</div>))}
    </pre>
  );
}
