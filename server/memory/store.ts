import { AppError } from '../../contracts/errors.js';
import { showTree } from '../../contracts/paths.js';
import type { TxSql } from '../../db/connect.js';
import { canAccess, treeRefusal } from '../access/predicate.js';
import type { OpContext } from '../context.js';
import { translatePgError } from '../util/pg-errors.js';

// Storing new memories (memory.create and memory.batchCreate share this). A memory may come with a
// client-chosen id, which makes a retried call safe: the rules (what "identical" means, what an id
// of another space or of a deleted memory does) are in memory.batchCreate's description.

export type OnConflict = 'error' | 'replace' | 'ignore';
export type Outcome = 'created' | 'replaced' | 'ignored' | 'unchanged';

/** One memory to store, as its columns' text (meta as JSON text, temporal as a range literal). */
export interface NewMemory { id: string | null; tree: string; name: string | null; content: string; meta: string; temporal: string | null }
export interface Stored { id: string; outcome: Outcome }

/**
 * The upsert's update: only when something differs, so replacing a memory with identical content,
 * meta and time is a no-op (no new version, no history row; re-running an import changes nothing).
 */
const replaceChanged = (tx: TxSql) => tx`update set content = excluded.content, meta = excluded.meta, temporal = excluded.temporal,
    updated_at = now(), version = m.version + 1
  where (m.content, m.meta, m.temporal) is distinct from (excluded.content, excluded.meta, excluded.temporal)`;

const columns = (tx: TxSql, items: NewMemory[]) => tx`unnest(${items.map((m) => m.id)}::text[], ${items.map((m) => m.tree)}::text[],
    ${items.map((m) => m.name)}::text[], ${items.map((m) => m.content)}::text[], ${items.map((m) => m.meta)}::text[],
    ${items.map((m) => m.temporal)}::text[]) with ordinality as x(i, t, n, c, mt, tr, ord)`;

type IdState = 'new' | 'same' | 'differs' | 'deleted' | 'taken';
interface IdRow { ord: number; state: IdState; differs: string[]; tree: string | null; writable: boolean }

/** What each given id is now: unused, the same memory, this space's memory with other fields, deleted, or someone else's. */
async function idStates(tx: TxSql, ctx: OpContext, items: NewMemory[]): Promise<IdRow[]> {
  const space = ctx.space.id;
  // Lock the existing rows until commit, so a concurrent update cannot slip between the comparison
  // and a replace (a row lock cannot be taken on the outer-joined side below).
  await tx`select 1 from core.memory where id = any(${items.map((m) => m.id)}::uuid[]) for update`;
  return tx<IdRow[]>`
    select x.ord::int as ord,
      case
        when m.id is not null then case
          when m.space_id <> ${space} or not ${canAccess(tx, ctx.caller, space, 1, tx`m.tree`)} then 'taken'
          when (m.tree, m.name, m.content, m.meta, m.temporal) is not distinct from (x.t::ltree, x.n, x.c, x.mt::jsonb, x.tr::tstzrange) then 'same'
          else 'differs' end
        when h.space_id is null then 'new'
        when h.space_id = ${space} and ${canAccess(tx, ctx.caller, space, 1, tx`h.tree`)} then 'deleted'
        else 'taken' end as state,
      array_remove(array[
        case when m.tree is distinct from x.t::ltree then 'tree' end, case when m.name is distinct from x.n then 'name' end,
        case when m.content is distinct from x.c then 'content' end, case when m.meta is distinct from x.mt::jsonb then 'meta' end,
        case when m.temporal is distinct from x.tr::tstzrange then 'temporal' end], null) as differs,
      m.tree::text as tree, coalesce(${canAccess(tx, ctx.caller, space, 2, tx`m.tree`)}, false) as writable
    from ${columns(tx, items)}
    left join core.memory m on m.id = x.i::uuid
    left join lateral (select h.space_id, h.tree from core.memory_history h
      where m.id is null and h.memory_id = x.i::uuid order by h.id desc limit 1) h on true
    order by x.ord`;
}

const listIds = (ids: string[]) => ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');

/** Refuses, changing nothing, ids that cannot be stored; returns each item's state (null: no id). */
async function checkIds(tx: TxSql, ctx: OpContext, items: NewMemory[], onConflict: OnConflict): Promise<(IdRow | null)[]> {
  const given = items.flatMap((m, i) => (m.id ? [i] : []));
  if (!given.length) return items.map(() => null);
  const rows = await idStates(tx, ctx, given.map((i) => items[i]!));
  const states: (IdRow | null)[] = items.map(() => null);
  rows.forEach((r, k) => { states[given[k]!] = r; });
  const idsIn = (state: IdState) => rows.filter((r) => r.state === state).map((r) => items[given[r.ord - 1]!]!.id!);
  const taken = idsIn('taken');
  if (taken.length) {
    throw new AppError('CONFLICT', `${taken.length === 1 ? 'id' : 'ids'} ${listIds(taken)} already belong to memories in another space or that you cannot see; choose new ids (nothing was stored)`, { reason: 'ID_TAKEN', ids: taken });
  }
  const deleted = idsIn('deleted');
  if (deleted.length) {
    throw new AppError('CONFLICT', `${deleted.length === 1 ? 'memory' : 'memories'} ${listIds(deleted)} ${deleted.length === 1 ? 'was' : 'were'} deleted; restore ${deleted.length === 1 ? 'it' : 'them'} with memory.restore (me restore <id>) instead of creating ${deleted.length === 1 ? 'it' : 'them'} again, or send ${deleted.length === 1 ? 'it' : 'them'} without an id (nothing was stored)`, { reason: 'ID_DELETED', ids: deleted });
  }
  const differs = rows.filter((r) => r.state === 'differs');
  if (differs.length && onConflict === 'error') {
    const ids = differs.map((r) => items[given[r.ord - 1]!]!.id!);
    throw new AppError('CONFLICT', `memory ${ids[0]} already exists with a different ${differs[0]!.differs.join(', ')}${ids.length > 1 ? ` (and ${ids.length - 1} more ids: ${listIds(ids.slice(1))})` : ''}; pass onConflict "replace" to update ${ids.length === 1 ? 'it' : 'them'} or "ignore" to keep ${ids.length === 1 ? 'it' : 'them'} (nothing was stored)`, { reason: 'ID_EXISTS', ids });
  }
  const locked = differs.find((r) => onConflict === 'replace' && !r.writable);
  if (locked) throw treeRefusal(ctx.caller, ctx.space.id, 2, locked.tree, `you have read-only access to memory ${items[given[locked.ord - 1]!]!.id} in ${showTree(locked.tree ?? '')}`);
  return states;
}

/** Updates the memories whose id a replace names to the given fields (a new version each). */
async function replaceById(tx: TxSql, items: NewMemory[]) {
  if (!items.length) return;
  await tx`update core.memory m set tree = x.t::ltree, name = x.n, content = x.c, meta = x.mt::jsonb, temporal = x.tr::tstzrange,
      updated_at = now(), version = m.version + 1
    from ${columns(tx, items)} where m.id = x.i::uuid`;
}

/** Inserts memories whose id is not in use (or who have none); a named one's taken path goes by onConflict. */
async function insert(tx: TxSql, ctx: OpContext, items: NewMemory[], onConflict: OnConflict): Promise<Stored[]> {
  if (!items.length) return [];
  const into = tx`insert into core.memory as m (id, space_id, tree, name, content, meta, temporal, created_by)
    select coalesce(i::uuid, uuidv7()), ${ctx.space.id}::uuid, t::ltree, n, c, mt::jsonb, tr::tstzrange, ${ctx.caller.principalId}::uuid
    from ${columns(tx, items)} order by ord`;
  if (onConflict === 'error' || items.every((m) => !m.name)) {
    const rows = await tx<{ id: string }[]>`${into} returning id`;
    return rows.map((r) => ({ id: r.id, outcome: 'created' }));
  }
  const rows = await tx<{ id: string; tree: string; name: string | null; inserted: boolean }[]>`${into}
    on conflict (space_id, tree, name) where name is not null do ${onConflict === 'replace' ? replaceChanged(tx) : tx`nothing`}
    returning id, tree::text as tree, name, (xmax = 0) as inserted`;
  const key = (tree: string, name: string) => `${tree}\u0000${name}`;
  const byPath = new Map(rows.filter((r) => r.name).map((r) => [key(r.tree, r.name!), { id: r.id, outcome: r.inserted ? 'created' : 'replaced' } as Stored]));
  const missing = items.filter((m) => m.name && !byPath.has(key(m.tree, m.name)));
  if (missing.length) {
    // Named memories the statement did not return: kept (ignore), or identical already (replace).
    const existing = await tx<{ id: string; tree: string; name: string }[]>`select m.id, m.tree::text as tree, m.name
      from core.memory m join unnest(${missing.map((m) => m.tree)}::text[]::ltree[], ${missing.map((m) => m.name)}::text[]) as x(t, n)
        on m.tree = x.t and m.name = x.n
      where m.space_id = ${ctx.space.id}`;
    for (const e of existing) byPath.set(key(e.tree, e.name), { id: e.id, outcome: onConflict === 'ignore' ? 'ignored' : 'unchanged' });
  }
  // Unnamed memories never collide: they come back in input order.
  const unnamed = rows.filter((r) => !r.name);
  let next = 0;
  return items.map((m) => (m.name ? byPath.get(key(m.tree, m.name))! : { id: unnamed[next++]!.id, outcome: 'created' }));
}

/**
 * Stores the memories in the transaction, all or nothing; each one's id and outcome, in input order.
 * Write access to every item's tree is the caller's check; this checks the memories an id replaces.
 */
export async function storeMemories(tx: TxSql, ctx: OpContext, items: NewMemory[], onConflict: OnConflict, pathTaken: string): Promise<Stored[]> {
  const states = await checkIds(tx, ctx, items, onConflict);
  const out: (Stored | null)[] = items.map(() => null);
  const replacing: NewMemory[] = [];
  const inserting: number[] = [];
  items.forEach((m, i) => {
    const s = states[i]?.state;
    if (s === 'same') out[i] = { id: m.id!, outcome: 'unchanged' };
    else if (s === 'differs' && onConflict === 'ignore') out[i] = { id: m.id!, outcome: 'ignored' };
    else if (s === 'differs') {
      replacing.push(m);
      out[i] = { id: m.id!, outcome: 'replaced' };
    } else inserting.push(i);
  });
  try {
    await replaceById(tx, replacing);
    const stored = await insert(tx, ctx, inserting.map((i) => items[i]!), onConflict);
    inserting.forEach((i, k) => { out[i] = stored[k]!; });
  } catch (err) {
    if ((err as { constraint_name?: string }).constraint_name === 'memory_pkey') throw new IdRace();
    translatePgError(err, pathTaken);
  }
  return out as Stored[];
}

/** Another request stored a memory with one of the ids meanwhile (typically the same call, retried too early). */
class IdRace extends Error {}

/**
 * Runs a store transaction; when it lost a race for an id, runs it once more, which now sees the
 * other request's memory (identical: unchanged), so a client's early retry never fails for it.
 */
export async function withIdRetry<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof IdRace)) throw err;
  }
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof IdRace)) throw err;
    throw new AppError('CONFLICT', 'a memory with one of these ids was being created by another request at the same time; retry (an identical one is then left as it is)');
  }
}
