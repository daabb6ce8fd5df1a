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

/** A client's X-Request-Id (its first 100 characters), else a new one. */
export const requestIdFrom = (header: string | undefined) => header?.slice(0, 100) || randomUUID();

/** The request id, echoed in the response and the logs. */
export const requestId: MiddlewareHandler<EdgeEnv> = async (c, next) => {
  const id = requestIdFrom(c.req.header('x-request-id'));
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
      return errorResponse(c, tooLarge(max, max === limit));
    },
  });
  const api = make(limit);
  const auth = make(Math.min(limit, AUTH_BODY_LIMIT));
  return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : (c.req.path.startsWith('/api/v1/auth/') ? auth : api)(c, next));
}

/** 413's error; the connection is closed after it, so the rest of the body is not waited for. */
export const tooLarge = (max: number, configurable: boolean) => new AppError('PAYLOAD_TOO_LARGE',
  `the request body is larger than ${max} bytes; split it (e.g. smaller batches)${configurable ? ' or raise ME_BODY_LIMIT' : ''}`);

/** The HTTP status an error answered at the edge (before any JSON-RPC call runs) is sent with. */
const edgeStatus: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503 | 504> = {
  VALIDATION_ERROR: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429, UNAVAILABLE: 503, TIMEOUT: 504, INTERNAL: 500,
};

/**
 * An error answered at the edge: a JSON-RPC error envelope (id null) with the status its code means
 * (`status` overrides it), and Retry-After's seconds when it says when to retry. Null for a bug
 * (not an AppError or a known database error): the caller logs it and answers 500.
 */
export function edgeError(thrown: unknown, status?: number) {
  const err = classifyError(thrown);
  if (!err) return null;
  return {
    status: status ?? (err.data?.httpStatus as number | undefined) ?? edgeStatus[err.code],
    body: rpcError(null, err, () => {}),
    retryAfter: retryAfterOf(err),
  };
}

/** The answer to a bug, once logged. */
export const INTERNAL_ERROR_BODY = { error: 'internal error; it has been logged' };

/** edgeError as a Hono response. */
export function errorResponse(c: Context, thrown: unknown, status?: number) {
  const e = edgeError(thrown, status);
  if (!e) throw thrown; // a bug: the app's error handler logs it and answers 500
  if (e.retryAfter !== undefined) c.header('retry-after', String(e.retryAfter));
  return c.json(e.body, e.status as 400);
}

/** The seconds an error says to wait before retrying (the database is away), if it says. */
export function retryAfterOf(err: { data?: unknown } | undefined): number | undefined {
  const seconds = (err?.data as { retryAfter?: unknown } | undefined)?.retryAfter;
  return typeof seconds === 'number' ? seconds : undefined;
}

/** The body of a JSON request: 415 unless sent as application/json, 400 (-32700) unless it parses. */
export async function readJson(c: Context): Promise<unknown> {
  checkJsonType(c.req.header('content-type'));
  return parseJson(await c.req.text());
}

/** 415 unless the body is sent as application/json. */
export function checkJsonType(contentType: string | undefined) {
  if (!/^application\/json\b/i.test(contentType ?? '')) {
    throw new AppError('VALIDATION_ERROR', 'send the request as Content-Type: application/json', { reason: 'INVALID_JSON', httpStatus: 415 });
  }
}

/** A JSON body's value, or 400 (-32700) saying why it does not parse. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('VALIDATION_ERROR', `the body is not valid JSON: ${(err as Error).message}`, { reason: 'INVALID_JSON', rpcCode: -32700 });
  }
}
