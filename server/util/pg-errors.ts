import { AppError, type ErrorCode, type Reason } from '../../contracts/errors.js';

interface PgError { code?: string; constraint_name?: string; message: string; cause?: unknown }

type Entry = { code: ErrorCode; reason?: Reason; message: (e: PgError) => string };

const tooSlow = 'narrow the query: it ran past the statement time bound and was cancelled; add a tree, a more selective query or filter, or a smaller limit';
const tooBig = 'narrow the query: it needed more memory or nesting than the database allows and was stopped; add a tree, a more selective query or filter, or a smaller limit';

/**
 * Postgres errors a caller can cause, by SQLSTATE, as application errors. Input is validated at the
 * edge (contracts/), so these are the last line: a value that still reaches Postgres and is refused
 * there gets Postgres' own reason, never INTERNAL. Anything not listed (and not an AppError) is our
 * bug and answers INTERNAL.
 */
const bySqlState: Record<string, Entry> = {
  '57014': { code: 'TIMEOUT', reason: 'QUERY_TIMEOUT', message: () => tooSlow },
  '53200': { code: 'TIMEOUT', reason: 'QUERY_TOO_COMPLEX', message: () => tooBig },
  '54001': { code: 'TIMEOUT', reason: 'QUERY_TOO_COMPLEX', message: () => tooBig },
  '54000': { code: 'VALIDATION_ERROR', message: (e) => `a value is too large for the database (${e.message}); shorten it` },
  '23514': { code: 'VALIDATION_ERROR', message: (e) => `a value breaks a rule of the database (${e.message})` },
  '23503': { code: 'NOT_FOUND', message: () => 'it refers to something that does not exist (any more)' },
  '23505': { code: 'CONFLICT', message: () => 'it collides with something that already exists' },
};

/** Seconds a caller should wait before retrying a call that failed because the database was away. */
export const RETRY_AFTER_SECONDS = 1;

const away = (why: string) => new AppError('UNAVAILABLE', `the database cannot be reached right now (${why}); retry in a moment`, {
  reason: 'DATABASE_UNAVAILABLE', retryAfter: RETRY_AFTER_SECONDS,
});
/**
 * The database is away (stopped, restarting, unreachable) or dropped the connection: admin/crash
 * shutdown, "cannot connect now" (starting up or shutting down), too many connections, class 08.
 */
const awayStates = new Set(['57P01', '57P02', '57P03', '57P05', '53300']);
/** Socket errors, and postgres.js' own codes for a connection that closed, ended or never opened. */
const awayCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EAI_AGAIN',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
]);
/** node-postgres (better-auth's pool) says it in words only. */
const awayMessages = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end on the pool)/;

/** UNAVAILABLE when `err` (or its cause: libraries wrap) says the database is away; else null. */
function unavailable(err: unknown, depth = 0): AppError | null {
  const e = err as PgError | null;
  if (!e || typeof e !== 'object') return null;
  const code = typeof e.code === 'string' ? e.code : '';
  if (awayStates.has(code) || code.startsWith('08') && /^[0-9A-Z]{5}$/.test(code)) return away(e.message?.replace(/\s+/g, ' ').slice(0, 120) || code);
  if (awayCodes.has(code)) return away(code);
  if (typeof e.message === 'string' && awayMessages.test(e.message)) return away(e.message);
  return depth < 3 && e.cause ? unavailable(e.cause, depth + 1) : null;
}

/** Class 22 (data exception: a value Postgres cannot take) and its SQL/JSON subclasses (2203x). */
function byClass(state: string): Entry | undefined {
  if (/^2203[0-9A-Z]$/.test(state) || state === '2201B') {
    return { code: 'VALIDATION_ERROR', reason: 'INVALID_JSONPATH', message: (e) => `where: ${e.message}` };
  }
  if (state.startsWith('22')) return { code: 'VALIDATION_ERROR', message: (e) => `a value cannot be stored or compared: ${e.message}` };
  return undefined;
}

/** The application error for any thrown value, or null when it is a bug (INTERNAL). */
export function classifyError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  const down = unavailable(err);
  if (down) return down;
  const e = err as PgError;
  const state = e && typeof e === 'object' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  const entry = state ? bySqlState[state] ?? byClass(state) : undefined;
  return entry ? new AppError(entry.code, entry.message(e), entry.reason ? { reason: entry.reason } : undefined) : null;
}

/** Turns Postgres errors a caller can cause into clear application errors; anything else is rethrown. */
export function translatePgError(err: unknown, conflictMessage = 'that path is already taken by another memory'): never {
  const e = err as PgError;
  if (e && typeof e === 'object' && e.code === '23505') throw new AppError('CONFLICT', conflictMessage);
  throw classifyError(err) ?? err;
}
