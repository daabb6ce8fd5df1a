import type { PendingQuery, Row } from 'postgres';
import type { Sql, TxSql } from "../../db/connect.js";
import { AppError } from '../../contracts/errors.js';
import { showTree } from '../../contracts/paths.js';
import { levelName, type Caller } from '../context.js';

type Fragment = PendingQuery<Row[]>;

/**
 * SQL that is true when the caller holds at least `level` on the tree expression `tree` in the
 * space: an additive grant on an ancestor-or-self prefix, intersected with the API key's
 * restriction when there is one (a key or a bound connection can only narrow). Every memory query embeds this, so
 * access is decided by Postgres, never by filtering rows afterwards.
 */
export function canAccess(sql: Sql | TxSql, caller: Caller, spaceId: string, level: 1 | 2 | 3, tree: Fragment): Fragment {
  // The granted prefixes and the restriction are uncorrelated sub-selects, so Postgres computes
  // each once per statement (an InitPlan) and tests every row against an array. An `exists` over
  // core.grant with the row's tree inside was run again for every row tested: ~5 µs each, which
  // was half of a broad search's time (500 candidates; bench/README.md "Broad searches").
  const grant = sql`${tree} <@ array(select g.tree_prefix from core.grant g
    where g.space_id = ${spaceId} and g.principal_id = ${caller.principalId} and g.level >= ${level})`;
  if (!caller.restriction) return grant;
  const prefixes = caller.restriction
    .filter((r) => (r.spaceId === null || r.spaceId === spaceId) && r.level >= level)
    .map((r) => r.tree);
  if (prefixes.length === 0) return sql`false`;
  // Arrays of extension types go as text[]: a connection opened before the extension existed
  // (the first boot migrates on it) cannot serialize ltree[] itself.
  return sql`(${grant} and ${tree} <@ (select ${prefixes}::text[]::ltree[]))`;
}

/** The same check for a single known path (a create, the root of a bulk operation). */
export async function hasAccess(sql: Sql | TxSql, caller: Caller, spaceId: string, level: 1 | 2 | 3, tree: string): Promise<boolean> {
  const [row] = await sql<{ ok: boolean }[]>`select ${canAccess(sql, caller, spaceId, level, sql`${tree}::ltree`)} as ok`;
  return row?.ok === true;
}

/** Whether a restricted credential's rules alone would let it reach `tree` at `level` (ltree text). */
function restrictionCovers(caller: Caller, spaceId: string, level: 1 | 2 | 3, tree: string): boolean {
  return (caller.restriction ?? []).some((r) => (r.spaceId === null || r.spaceId === spaceId) && r.level >= level
    && (r.tree === '' || tree === r.tree || tree.startsWith(r.tree + '.')));
}

/** "this API key is restricted to /a (read)" or "this connection is restricted to /a (read) in space "x"". */
export function describeRestriction(caller: Caller): string {
  const rules = (caller.restriction ?? []).map((r) => `${showTree(r.tree)} (${levelName(r.level)})${r.space ? ` in space "${r.space}"` : ''}`);
  return `this ${caller.credential === 'apiKey' ? 'API key' : 'connection'} is restricted to ${rules.join(', ')}`;
}

/** Whether a restricted caller's rules reach the space at all (unrestricted callers: always). */
export const restrictionReaches = (caller: Caller, spaceId: string) =>
  !caller.restriction || caller.restriction.some((r) => r.spaceId === null || r.spaceId === spaceId);

/**
 * A memory a restricted caller cannot see is reported as missing, like any unreadable one; the
 * message still says that the credential is limited, since that is about the caller, not the data.
 */
export function missingNote(caller: Caller): string {
  return caller.restriction ? ` (${describeRestriction(caller)}; memories outside it look missing)` : '';
}

/**
 * The refusal for a tree the caller may not touch, with the reason that is true: the credential's
 * restriction (KEY_RESTRICTED: its grants may be fine) or a missing grant (GRANT_MISSING).
 */
export function treeRefusal(caller: Caller, spaceId: string, level: 1 | 2 | 3, tree: string | null, message: string): AppError {
  if (caller.restriction && (tree === null || !restrictionCovers(caller, spaceId, level, tree))) {
    return new AppError('FORBIDDEN', `${message}: ${describeRestriction(caller)}`, { reason: 'KEY_RESTRICTED' });
  }
  return new AppError('FORBIDDEN', message, { reason: 'GRANT_MISSING' });
}
