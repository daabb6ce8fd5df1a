import { AppError, type ErrorCode, type Reason } from '../../contracts/errors.js';

interface PgError { code?: string; constraint_name?: string; message: string }

/**
 * Postgres errors a caller can cause, by SQLSTATE, as application errors. Anything not listed here
 * (and not an AppError) is our bug and answers INTERNAL.
 */
const bySqlState: Record<string, { code: ErrorCode; reason?: Reason; message: (e: PgError) => string }> = {
  '57014': { code: 'TIMEOUT', reason: 'QUERY_TIMEOUT', message: () => 'the query took too long and was cancelled; narrow it (tree, filters, limit)' },
};

/** The application error for any thrown value, or null when it is a bug (INTERNAL). */
export function classifyError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  const e = err as PgError;
  const entry = e && typeof e === 'object' && typeof e.code === 'string' ? bySqlState[e.code] : undefined;
  return entry ? new AppError(entry.code, entry.message(e), entry.reason ? { reason: entry.reason } : undefined) : null;
}

/** Turns Postgres errors a caller can cause into clear application errors; anything else is rethrown. */
export function translatePgError(err: unknown, conflictMessage = 'that path is already taken by another memory'): never {
  const e = err as PgError;
  if (e && typeof e === 'object' && e.code === '23505') throw new AppError('CONFLICT', conflictMessage);
  throw classifyError(err) ?? err;
}
