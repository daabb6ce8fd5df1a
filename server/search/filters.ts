import type { Sql } from '../../db/connect.js';
import type { z } from 'zod';
import type { memorySearch } from '../../contracts/memory.js';
import { AppError } from '../../contracts/errors.js';
import type { OpContext } from '../context.js';

type SearchInput = z.output<typeof memorySearch.input>;

/**
 * The WHERE conditions shared by every search mode (alias `m` = core.memory). Call
 * `checkFilters` first: it rejects an invalid JSONPath with a clear message.
 */
export function searchFilters(sql: Sql, input: SearchInput) {
  const t = input.temporal;
  return sql`
    ${input.tree !== undefined ? (input.exactTree ? sql`and m.tree = ${input.tree}::ltree` : sql`and m.tree <@ ${input.tree}::ltree`) : sql``}
    ${input.meta ? sql`and m.meta @> ${sql.json(input.meta as never)}` : sql``}
    ${input.where !== undefined ? sql`and m.meta @@ ${input.where}::jsonpath` : sql``}
    ${t?.before ? sql`and upper(m.temporal) <= ${t.before}::timestamptz` : sql``}
    ${t?.after ? sql`and lower(m.temporal) >= ${t.after}::timestamptz` : sql``}
    ${t?.overlaps ? sql`and m.temporal && tstzrange(${t.overlaps.start}::timestamptz, ${t.overlaps.end}::timestamptz)` : sql``}
    ${t?.contains ? sql`and m.temporal @> ${t.contains}::timestamptz` : sql``}`;
}

/** Postgres parses `where` once up front (the contract has refused unbounded forms already). */
export async function checkFilters(sql: Sql, input: SearchInput) {
  const where = input.where;
  if (where === undefined) return;
  try {
    await sql`select ${where}::jsonpath`;
  } catch (err) {
    throw new AppError('VALIDATION_ERROR', `where: "${where}" is not a valid JSONPath predicate (${(err as Error).message}); example: $.priority > 2`, { reason: 'INVALID_JSONPATH' });
  }
}

/** What decides the results of a search: a cursor is only valid for the listing it came from. */
export function listing(input: SearchInput, ctx: OpContext) {
  const { query, mode, tree, exactTree, meta, where, temporal, weights, candidates } = input;
  return { space: ctx.space.id, query, mode, tree, exactTree, meta, where, temporal, weights, candidates };
}
