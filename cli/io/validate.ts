import { memoryInputSchema } from '../../contracts/memory-shapes.js';
import { showPath } from '../../contracts/path-syntax.js';
import { problemsOf, toMemoryInput, whereOf, type Item } from './formats.js';

// An import checks every memory before sending any, with the operation's own input schema, so a
// dry run finds exactly what the real run would reject, and each problem names its file and line.

const MAX_SHOWN = 20;

/** Every problem in the items, as `file:line: field: rule` lines (empty when all are valid). */
export function importProblems(items: Item[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, Item>();
  const ids = new Map<string, Item>();
  for (const item of items) {
    if (item.id) {
      const first = ids.get(item.id.toLowerCase());
      if (first) problems.push(`${whereOf(item)}: id ${item.id} is also the id of ${whereOf(first)}; an id names one memory`);
      else ids.set(item.id.toLowerCase(), item);
    }
    const read = problemsOf(item);
    problems.push(...read);
    if (read.some((p) => /: needs a "content" string$/.test(p))) continue;
    const r = memoryInputSchema.safeParse(toMemoryInput(item));
    if (!r.success) {
      for (const i of r.error.issues) problems.push(`${whereOf(item)}: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
      continue;
    }
    if (!r.data.name) continue;
    const key = `${r.data.tree}\u0000${r.data.name}`;
    const first = seen.get(key);
    if (first) problems.push(`${whereOf(item)}: ${showPath(r.data.tree ?? '', r.data.name)} is also the path of ${whereOf(first)}; rename one (two files whose names differ only in spaces or punctuation map to the same name)`);
    else seen.set(key, item);
  }
  return problems;
}

/** The problems as one message. */
export function describeProblems(problems: string[]): string {
  const shown = problems.slice(0, MAX_SHOWN).map((p) => `  ${p}`);
  if (problems.length > MAX_SHOWN) shown.push(`  … and ${problems.length - MAX_SHOWN} more`);
  return `${problems.length === 1 ? '1 problem' : `${problems.length} problems`} in the input; nothing was imported:\n${shown.join('\n')}`;
}

/** A server validation error about `memories.<i>…` of a batch, restated with the item's file and line. */
export function locateBatchError(message: string, issues: { path: string[]; message: string }[] | undefined, batch: Item[]): string {
  if (!issues?.length) return message;
  return issues.map((i) => {
    const index = i.path[0] === 'memories' ? Number(i.path[1]) : NaN;
    const item = Number.isInteger(index) ? batch[index] : undefined;
    return item ? `${whereOf(item)}: ${i.path.slice(2).join('.')}${i.path.length > 2 ? ': ' : ''}${i.message}` : `${i.path.join('.')}: ${i.message}`;
  }).join('; ');
}
