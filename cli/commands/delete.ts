import { UsageError } from 'clipanion';
import { parseTree, showTree } from '../../contracts/path-syntax.js';
import { findSpec } from '../spec/load.js';
import { Cancelled } from '../util/confirm.js';
import { plural } from '../util/render.js';
import { UUID } from './base.js';
import type { RouteInput } from './derive.js';
import { checkPath } from './flags.js';

// Deleting memories: at a terminal the command shows what will go and asks (unless --yes); without
// one a tree delete needs --yes, since nobody can answer. Afterwards it prints the ids removed and how
// to bring them back.

const SAMPLE = 10;

/** The call that deletes one memory (by id or path), after asking at a terminal. */
export async function deleteOne(ref: string, r: RouteInput) {
  const byId = UUID.test(ref);
  if (!byId) checkPath('<id|path>', ref, 'memory');
  if (!r.extras.yes && r.interactive) {
    const client = await r.client();
    const m = (await client.call(byId ? 'memory.get' : 'memory.getByPath', byId ? { id: ref } : { path: ref })) as { path: string; id: string; version: number; content: string };
    const preview = m.content.replace(/\s+/g, ' ').slice(0, 60);
    if (!(await r.ask(`Delete ${m.path} (id ${m.id}, version ${m.version}: "${preview}${m.content.length > 60 ? '…' : ''}")?`))) throw new Cancelled('Not deleted.');
  }
  return byId ? { op: 'memory.delete', params: { id: ref } } : { op: 'memory.deleteByPath', params: { path: ref } };
}

/** The call that deletes a tree: counted and listed, then asked at a terminal; --yes required without one. */
export async function deleteTree(tree: string, r: RouteInput) {
  checkPath('<tree>', tree, 'tree');
  const params = { ...r.params, tree };
  const parsed = parseTree(tree);
  const root = parsed.ok && parsed.value === '';
  if (root && !r.params.confirm && !r.params.dryRun) throw new UsageError('deleting "/" removes every memory in the space: add --confirm as well');
  if (r.params.dryRun || r.extras.yes) return { op: 'memory.deleteTree', params };
  const shown = showTree(parsed.ok ? parsed.value : tree);
  if (!r.interactive) {
    throw new UsageError(`this deletes every memory under ${shown}: pass --yes to confirm (no terminal to ask on); --dry-run shows how many`);
  }
  const client = await r.client();
  const { count } = (await client.call('memory.count', { tree })) as { count: number };
  if (count > 0) {
    const sample = (await client.call('memory.search', { tree, limit: SAMPLE })) as { results: { path: string; id: string; name: string | null }[] };
    const lines = sample.results.map((m) => `  ${m.path}${m.name ? '' : `  (unnamed, id ${m.id})`}`);
    if (count > sample.results.length) lines.push(`  … and ${count - sample.results.length} more`);
    r.note(`This deletes ${plural(count, 'memory', 'memories')} under ${shown}:\n${lines.join('\n')}`);
    if (!(await r.ask(`Delete ${count === 1 ? 'it' : `all ${count}`}?`))) throw new Cancelled('Not deleted.');
  }
  return { op: 'memory.deleteTree', params };
}

/** How to bring deleted memories back: `me restore` when the server has it, else history + revert. */
async function restoreHint(ids: string[], tree?: string): Promise<string> {
  if (await findSpec('memory.restore')) {
    return tree && ids.length !== 1 ? `Restore them with: me restore --tree ${tree}` : `Restore ${ids.length === 1 ? 'it' : 'them'} with: me restore ${ids.join(' ')}`;
  }
  if (!ids.length) return 'Deleted memories keep their history: `me history <id>` and `me revert <id> <version>` bring one back.';
  return `${ids.length === 1 ? 'It keeps its' : 'They keep their'} history: \`me history ${ids[0]}\` lists the versions, \`me revert ${ids[0]} <version>\` brings it back.`;
}

/** The sentence after a delete: what went (ids) and how to restore it. */
export async function renderDelete(op: string, r: { id?: string; ids?: string[]; count?: number; dryRun?: boolean }, input: RouteInput): Promise<string> {
  if (op === 'memory.deleteTree') {
    const tree = input.positional.target ?? (input.params.tree as string);
    if (r.dryRun) return `Would delete ${plural(r.count!, 'memory', 'memories')} under ${tree} (dry run: nothing deleted).`;
    const ids = r.ids ?? [];
    const lines = [`Deleted ${plural(r.count!, 'memory', 'memories')} under ${tree}.`];
    if (ids.length) lines.push(`ids: ${ids.join(' ')}`);
    if (r.count) lines.push(await restoreHint(ids, tree));
    return lines.join('\n');
  }
  const what = input.positional.ref ?? input.positional.target ?? (input.params.path as string | undefined);
  return [`Deleted ${what && what !== r.id ? `${what} (id ${r.id})` : `memory ${r.id}`}.`, await restoreHint([r.id!])].join('\n');
}
