import { createHash } from 'node:crypto';
import { AppError } from '../../contracts/errors.js';

// Paging cursors are opaque to callers and checked when they come back: a cursor is
// base64url("<kind>:<value>:<check>"), where the check is a hash of the kind, the value and the
// listing it was made for (the parameters that decide what the listing holds). An altered cursor,
// or one passed to another listing, is refused before any query; its value is also checked
// against the form its kind allows, so nothing a caller writes into a cursor reaches SQL unchecked.

const forms = {
  /** An offset into ranked results. */
  o: /^(0|[1-9][0-9]{0,8})$/,
  /** The last id of a list page. */
  l: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  /** The last history event id (a bigint). */
  h: /^[1-9][0-9]{0,17}$/,
} as const;
export type CursorKind = keyof typeof forms;

const check = (kind: CursorKind, value: string, listing: unknown) =>
  createHash('sha256').update(`${kind}\u0000${value}\u0000${JSON.stringify(listing)}`).digest('base64url').slice(0, 16);

export function makeCursor(kind: CursorKind, value: string | number, listing: unknown): string {
  const v = String(value);
  return Buffer.from(`${kind}:${v}:${check(kind, v, listing)}`).toString('base64url');
}

export const invalidCursor = () =>
  new AppError('VALIDATION_ERROR', 'invalid cursor: start the listing again without it (pass nextCursor unchanged, with the same parameters)', { reason: 'INVALID_CURSOR' });

/** The value of a cursor made by makeCursor for this kind and listing; null when there is none. */
export function readCursor(cursor: string | undefined, kind: CursorKind, listing: unknown): string | null {
  if (!cursor) return null;
  const parts = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString().split(':') : [];
  const [k, value, sum] = parts;
  if (parts.length !== 3 || k !== kind || !forms[kind].test(value!) || sum !== check(kind, value!, listing)) throw invalidCursor();
  return value!;
}
