import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError, type ErrorCode } from '../../contracts/errors.js';
import { rpcError } from '../rpc/jsonrpc.js';
import { classifyError } from '../util/pg-errors.js';
import { bodyLimit } from './body-limit.js';

// What every request goes through, whatever its route: a request id, a body limit enforced before
// the body is buffered, and (for the API and /mcp) one way to parse JSON and to answer an error.
// Authentication is server/auth/authenticate.ts, called by the routes that need a caller.

export type EdgeEnv = { Variables: { requestId: string } };

/** Bodies of the authorization server's endpoints (forms, registrations, consent) are small. */
export const AUTH_BODY_LIMIT = 64 * 1024;

/** The request id (a client's X-Request-Id, else a new one), echoed in the response and the logs. */
export const requestId: MiddlewareHandler<EdgeEnv> = async (c, next) => {
  const id = c.req.header('x-request-id')?.slice(0, 100) || randomUUID();
  c.set('requestId', id);
  // On Node the header goes straight onto the ServerResponse (merged into whatever the route
  // answers): c.header() would make every response build a Fetch Headers object just for it.
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing) outgoing.setHeader('x-request-id', id);
  else c.header('x-request-id', id);
  await next();
};

/**
 * A body limit on every route: by Content-Length before reading anything, and while reading a
 * chunked body (at most `limit` bytes are ever buffered). 413 with a JSON error, and the connection
 * is closed so the rest of an oversized body is not waited for.
 */
export function bodyLimits(limit: number): MiddlewareHandler<EdgeEnv> {
  const make = (max: number) => bodyLimit({
    maxSize: max,
    onError: (c) => {
      c.header('connection', 'close');
      return errorResponse(c, new AppError('PAYLOAD_TOO_LARGE',
        `the request body is larger than ${max} bytes; split it (e.g. smaller batches)${max === limit ? ' or raise ME_BODY_LIMIT' : ''}`));
    },
  });
  const api = make(limit);
  const auth = make(Math.min(limit, AUTH_BODY_LIMIT));
  return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : (c.req.path.startsWith('/api/v1/auth/') ? auth : api)(c, next));
}

/** The HTTP status an error answered at the edge (before any JSON-RPC call runs) is sent with. */
const edgeStatus: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503 | 504> = {
  VALIDATION_ERROR: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429, UNAVAILABLE: 503, TIMEOUT: 504, INTERNAL: 500,
};

/** A JSON-RPC error envelope (id null) with the status its code means; `status` overrides it. */
export function errorResponse(c: Context, thrown: unknown, status?: number) {
  const err = classifyError(thrown);
  if (!err) throw thrown; // a bug: the app's error handler logs it and answers 500
  retryAfter(c, err);
  return c.json(rpcError(null, err, () => {}), (status ?? (err.data?.httpStatus as number | undefined) ?? edgeStatus[err.code]) as 400);
}

/** Retry-After on a response that carries an error saying when to retry (the database is away). */
export function retryAfter(c: Context, err: { data?: unknown } | undefined) {
  const seconds = (err?.data as { retryAfter?: unknown } | undefined)?.retryAfter;
  if (typeof seconds === 'number') c.header('retry-after', String(seconds));
}

/** The body of a JSON request: 415 unless sent as application/json, 400 (-32700) unless it parses. */
export async function readJson(c: Context): Promise<unknown> {
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
    throw new AppError('VALIDATION_ERROR', 'send the request as Content-Type: application/json', { reason: 'INVALID_JSON', httpStatus: 415 });
  }
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('VALIDATION_ERROR', `the body is not valid JSON: ${(err as Error).message}`, { reason: 'INVALID_JSON', rpcCode: -32700 });
  }
}
