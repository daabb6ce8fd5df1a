import { AppError } from '../contracts/errors.js';

interface PgError { code?: string; constraint_name?: string; message: string }

/** Turns Postgres errors a caller can cause into clear application errors; anything else is rethrown. */
export function translatePgError(err: unknown, conflictMessage = 'that path is already taken by another memory'): never {
  const e = err as PgError;
  if (e && typeof e === 'object') {
    if (e.code === '23505') throw new AppError('CONFLICT', conflictMessage);
    if (e.code === '57014') throw new AppError('UNAVAILABLE', 'the query took too long and was cancelled; narrow it (tree, filters, limit)');
  }
  throw err;
}
