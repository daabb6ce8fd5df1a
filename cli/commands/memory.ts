import { UsageError } from 'clipanion';
import type { OpSpec } from '../spec/types.js';
import { UUID } from './base.js';
import { deleteOne, deleteTree, renderDelete } from './delete.js';
import { deriveCommand, kebab, type Extra, type Overlay, type RouteInput } from './derive.js';
import { checkPath } from './flags.js';

// The memory commands: one per memory contract (`me memory <name>`), plus the hand-written UX below
// (positional arguments, id-or-path, aliases such as `me search`, `me tree`, `me get`).

/** An argument that is either a memory id or the path of a named memory; paths resolve to ids. */
async function resolveId(ref: string | undefined, r: RouteInput): Promise<string> {
  if (!ref) throw new UsageError('missing <id|path>: a memory id, or the path of a named memory such as /notes/todo');
  if (UUID.test(ref)) return ref;
  checkPath('<id|path>', ref, 'memory');
  const client = await r.client();
  const m = (await client.call('memory.getByPath', { path: ref })) as { id: string };
  return m.id;
}

const byIdOrPath = (idOp: string, pathOp: string) => async (r: RouteInput) => {
  const ref = r.positional.ref ?? (r.params.id as string | undefined);
  if (!ref) throw new UsageError('missing <id|path>: a memory id, or the path of a named memory such as /notes/todo');
  const { id: _id, ...rest } = r.params;
  if (UUID.test(ref)) return { op: idOp, params: { ...rest, id: ref } };
  checkPath('<id|path>', ref, 'memory');
  return { op: pathOp, params: { ...rest, path: ref } };
};

const withResolvedId = (op: string) => async (r: RouteInput) => {
  const id = await resolveId(r.positional.ref ?? (r.params.id as string | undefined), r);
  return { op, params: { ...r.params, id } };
};

const yes: Record<string, Extra> = { yes: { flag: '--yes,-y', kind: 'boolean', description: 'Do not ask for confirmation (required for a tree delete when not at a terminal)' } };
const ref = { name: 'ref', label: 'id|path', required: true };

export const overlays: Overlay[] = [
  {
    op: 'memory.create',
    paths: [['memory', 'create'], ['remember']],
    positional: [{ name: 'content', rest: true }],
    stdin: 'content',
    examples: [
      ['Store a named memory', '$0 memory create "Deploys happen on Tuesdays" --tree /team/process --name deploys'],
      ['Store the output of a command', 'git log -1 | $0 memory create --tree /projects/alpha/commits'],
      ['Upsert by path', '$0 remember "Prefers dark mode" --tree /people/ana --name prefs --on-conflict replace'],
    ],
    details: 'The content is the arguments, or stdin when none are given.',
  },
  {
    op: 'memory.get',
    paths: [['memory', 'get'], ['get']],
    summary: 'Fetch one memory by id or path.',
    positional: [ref],
    hide: ['id'],
    route: byIdOrPath('memory.get', 'memory.getByPath'),
    examples: [
      ['By path', '$0 get /team/process/deploys'],
      ['By id, as JSON', '$0 memory get 0190f3c4-5b6a-7c8d-9e0f-123456789abc --json'],
    ],
    details: 'Takes a memory id or the path of a named memory.',
  },
  {
    op: 'memory.update',
    paths: [['memory', 'update']],
    positional: [ref],
    hide: ['id'],
    route: withResolvedId('memory.update'),
    examples: [
      ['Change the content (version 3 is what you read)', '$0 memory update /team/process/deploys --version 3 --content "Deploys happen on Wednesdays"'],
      ['Move to another tree and drop the name', '$0 memory update 0190f3c4-5b6a-7c8d-9e0f-123456789abc --version 1 --tree /archive --name null'],
    ],
    details: 'For an interactive change with the version check done for you, use `me memory edit`.',
  },
  {
    op: 'memory.delete',
    paths: [['memory', 'delete']],
    summary: 'Delete a memory by id or path.',
    positional: [ref],
    hide: ['id'],
    extras: yes,
    route: (r) => deleteOne(r.positional.ref!, r),
    render: renderDelete,
    examples: [['Delete by path', '$0 memory delete /team/process/deploys']],
    details: 'At a terminal it shows the memory and asks first (--yes skips that).',
  },
  {
    op: 'memory.deleteByPath',
    paths: [['memory', 'delete-by-path']],
    extras: yes,
    route: (r) => deleteOne(r.params.path as string, r),
    render: renderDelete,
    examples: [['Delete a named memory', '$0 memory delete-by-path --path /notes/todo']],
    details: 'At a terminal it shows the memory and asks first (--yes skips that).',
  },
  {
    op: 'memory.deleteTree',
    paths: [['memory', 'rm'], ['rm']],
    summary: 'Delete a memory, or with -r a tree and everything below it.',
    positional: [{ name: 'target', label: 'id|path|tree', required: true }],
    hide: ['tree'],
    extras: { recursive: { flag: '-r,--recursive', kind: 'boolean', description: 'Delete the whole tree at <target> with everything below it' }, ...yes },
    route: async (r) => {
      const target = r.positional.target!;
      if (r.extras.recursive) return deleteTree(target, r);
      if (r.params.dryRun || r.params.confirm) throw new UsageError('--dry-run and --confirm apply to a recursive delete: add -r');
      return deleteOne(target, r);
    },
    render: renderDelete,
    examples: [
      ['Delete one memory by path', '$0 rm /notes/todo'],
      ['See how many memories a tree delete would remove', '$0 rm -r /scratch --dry-run'],
      ['Delete a tree without being asked (scripts)', '$0 rm -r /scratch --yes'],
    ],
    details:
      'Without -r, <target> is one memory (id or path); with -r it is a tree, deleted with everything below it. ' +
      'At a terminal it shows what will be deleted (how many, and the first paths) and asks; --yes skips that, ' +
      'and without a terminal a tree delete needs --yes. Afterwards it prints the ids it removed; `me trash` lists ' +
      'deleted memories and `me restore` brings them back.',
  },
  {
    op: 'memory.deleteTree',
    paths: [['memory', 'delete-tree']],
    extras: yes,
    route: (r) => deleteTree(r.params.tree as string, r),
    render: renderDelete,
    examples: [['Delete a subtree (count first with --dry-run)', '$0 memory delete-tree --tree /scratch --dry-run']],
    details: 'At a terminal it shows what will be deleted and asks; without a terminal it needs --yes.',
  },
  {
    op: 'memory.search',
    paths: [['memory', 'search'], ['search']],
    positional: [{ name: 'query', rest: true }],
    examples: [
      ['Keyword search', '$0 search deploy tuesday'],
      ['Within a tree, with content', '$0 search "release notes" --tree /projects/alpha --fields content --json'],
      ['Filter on meta', `$0 search --meta '{"source":"slack"}' --where '$.priority > 2'`],
    ],
  },
  {
    op: 'memory.tree',
    paths: [['memory', 'tree'], ['tree']],
    positional: [{ name: 'tree', label: 'path' }],
    examples: [
      ['The top of the space', '$0 tree'],
      ['Three levels below /projects', '$0 tree /projects --levels 3'],
    ],
  },
  {
    op: 'memory.count',
    paths: [['memory', 'count'], ['count']],
    positional: [{ name: 'tree', label: 'path' }],
    examples: [['Memories under /projects', '$0 count /projects']],
  },
  {
    op: 'memory.move',
    paths: [['memory', 'mv'], ['mv']],
    positional: [{ name: 'from', required: true }, { name: 'to', required: true }],
    examples: [['Move the inbox into a project', '$0 mv /inbox /projects/alpha/inbox']],
  },
  {
    op: 'memory.copy',
    paths: [['memory', 'cp'], ['cp']],
    positional: [{ name: 'from', required: true }, { name: 'to', required: true }],
    examples: [['Copy a template tree', '$0 cp /templates/project /projects/beta --dry-run']],
  },
  {
    op: 'memory.history',
    paths: [['memory', 'history'], ['history']],
    summary: "A memory's change history (by id or path, also when deleted), or a tree's activity feed, newest first.",
    positional: [{ name: 'ref', label: 'id|path' }],
    hide: ['id'],
    route: async (r) => {
      const ref = r.positional.ref;
      if (ref && (r.params.path !== undefined || r.params.tree !== undefined)) throw new UsageError('give a memory (<id|path>) or --tree, not both');
      if (ref && !UUID.test(ref)) checkPath('<id|path>', ref, 'memory');
      if (ref) return { op: 'memory.history', params: { ...r.params, ...(UUID.test(ref) ? { id: ref } : { path: ref }) } };
      // No memory named: the activity feed of a tree (the whole space by default).
      return { op: 'memory.history', params: r.params.path !== undefined ? r.params : { tree: '/', ...r.params } };
    },
    examples: [
      ['The versions of a memory (also of a deleted one)', '$0 history /team/process/deploys'],
      ['Everything that changed under a tree since Monday', '$0 history --tree /team --since 2025-03-03T00:00:00Z'],
      ['The activity of the whole space', '$0 history'],
    ],
    details: 'With <id|path>, the versions of that memory; without, the activity feed of --tree (default: the whole space).',
  },
  {
    op: 'memory.trash',
    paths: [['memory', 'trash'], ['trash']],
    positional: [{ name: 'tree', label: 'path' }],
    examples: [
      ['What was deleted lately', '$0 trash'],
      ['Deleted under /projects in the last day', '$0 trash /projects --since 2025-03-03T00:00:00Z'],
    ],
    details: 'Restore what you find with `me restore`.',
  },
  {
    op: 'memory.restore',
    paths: [['memory', 'restore'], ['restore']],
    positional: [{ name: 'refs', label: 'id|path', rest: true }],
    hide: ['ids', 'path'],
    route: async (r) => {
      const refs = (r.positional.refs ?? '').split(' ').filter(Boolean);
      if (refs.length && r.params.tree !== undefined) throw new UsageError('give memories (<id|path>…) or --tree, not both');
      if (!refs.length && r.params.tree === undefined) throw new UsageError('missing <id|path>… or --tree: what to restore (see `me trash`)');
      if (!refs.length) return { op: 'memory.restore', params: r.params };
      if (refs.every((ref) => UUID.test(ref))) return { op: 'memory.restore', params: { ...r.params, ids: refs } };
      if (refs.length > 1) throw new UsageError('restore one path at a time, or several ids');
      checkPath('<id|path>', refs[0]!, 'memory');
      return { op: 'memory.restore', params: { ...r.params, path: refs[0] } };
    },
    examples: [
      ['Restore by path', '$0 restore /team/process/deploys'],
      ['Restore by ids (as `me trash` or `me rm -r` printed them)', '$0 restore 0190f3c4-5b6a-7c8d-9e0f-123456789abc 0190f3c4-5b6a-7c8d-9e0f-123456789abd'],
      ['Undo an `rm -r /scratch` of the last hour', '$0 restore --tree /scratch --since 2025-03-03T09:00:00Z'],
      ['See what would come back', '$0 restore --tree /scratch --dry-run'],
    ],
    details: 'Takes memory ids, the path of one deleted named memory, or --tree for everything deleted under a tree.',
  },
  {
    op: 'memory.revert',
    paths: [['memory', 'revert'], ['revert']],
    positional: [ref, { name: 'version' }],
    hide: ['id'],
    route: withResolvedId('memory.revert'),
    examples: [
      ['Restore version 2', '$0 revert /team/process/deploys 2'],
      ['Undelete (by id: the path is free again)', '$0 memory revert 0190f3c4-5b6a-7c8d-9e0f-123456789abc --version 1'],
    ],
  },
];

// Examples for the commands that have no hand-written overlay; a contract added later gets one built
// from its required inputs.
const examples: Record<string, [string, string][]> = {
  'memory.batchCreate': [['Store two memories in one transaction', `$0 memory batch-create --memories '[{"content":"one","tree":"/a"},{"content":"two","tree":"/b","name":"two"}]'`]],
  'memory.getByPath': [['Fetch a named memory', '$0 memory get-by-path --path /team/process/deploys']],
  'memory.move': [['Move a subtree', '$0 memory move --from /inbox --to /archive/inbox']],
  'memory.copy': [['Copy a subtree', '$0 memory copy --from /templates/project --to /projects/beta']],
};
const genericExamples = (spec: OpSpec): [string, string][] =>
  examples[spec.name] ?? [[
    spec.summary,
    `$0 memory ${kebab(spec.name.slice('memory.'.length))} ${(spec.input.required ?? []).filter((p) => p !== 'space').map((p) => `--${kebab(p)} <${p}>`).join(' ')}`.trimEnd(),
  ]];

/** Every memory command: the overlays, and `me memory <kebab-name>` for each memory contract not covered by one at that path. */
export function memoryCommands(specs: OpSpec[]) {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out = [];
  const taken = new Set<string>();
  for (const o of overlays) {
    const spec = byName.get(o.op);
    if (!spec) continue; // an older server contract set: skip the UX for what does not exist
    out.push(deriveCommand(spec, o));
    for (const p of o.paths) taken.add(p.join(' '));
  }
  for (const spec of specs) {
    if (!spec.name.startsWith('memory.')) continue;
    const path = ['memory', kebab(spec.name.slice('memory.'.length))];
    if (taken.has(path.join(' '))) continue;
    out.push(deriveCommand(spec, { op: spec.name, paths: [path], examples: genericExamples(spec) }));
  }
  return out;
}
