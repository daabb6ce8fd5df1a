import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Endpoint } from '../../contracts/define.js';
import type { Services } from '../context.js';
import { authenticate, type Audience, type CredentialVerifiers, type RequestHeaders } from '../auth/authenticate.js';
import { handleRpc } from '../rpc/jsonrpc.js';
import { checkJsonType, edgeError, INTERNAL_ERROR_BODY, parseJson, requestIdFrom, retryAfterOf, tooLarge } from './edge.js';
import { declaredLength } from './body-limit.js';
import { readBody } from './read-body.js';

/** A route served on Node's own request and response (server/http/listen.ts). */
export type NodeRoute = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * POST /api/v1/<endpoint>/rpc: authenticate, parse, run the JSON-RPC request(s). Served on Node's
 * request and response rather than through Hono: this is the API's hot path (a memory read is a
 * cached key check and one query), and building a Fetch Request and Response for each call cost
 * ~10 % of its throughput (bench/README.md, "get"). The edge is the same as every route's: request id,
 * body limit (413 before reading when Content-Length says so), the same error envelope and statuses.
 */
export function rpcRoute(svc: Services, endpoint: Endpoint, verifiers: CredentialVerifiers, audience: () => Audience, bodyLimit: number): NodeRoute {
  return (req, res) => {
    const requestId = requestIdFrom(header(req, 'x-request-id') ?? undefined);
    serve(req, res, requestId).catch((err) => {
      svc.log.error('unhandled', { path: req.url, requestId, error: String(err?.stack ?? err) });
      if (!res.headersSent) send(res, 500, { 'x-request-id': requestId }, INTERNAL_ERROR_BODY);
      else res.destroy();
    });
  };

  async function serve(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const headers: Record<string, string> = { 'x-request-id': requestId };
    let caller, body;
    try {
      // The body limit comes first, as on every route: an oversized body is refused whoever sends it.
      if ((declaredLength(req.headers['content-length'], req.headers['transfer-encoding']) ?? 0) > bodyLimit) throw tooLarge(bodyLimit, true);
      const text = await readBody(req, bodyLimit);
      caller = await authenticate(svc, verifiers, nodeHeaders(req), audience());
      checkJsonType(header(req, 'content-type') ?? undefined);
      body = parseJson(text);
    } catch (err) {
      const e = edgeError(err);
      if (!e) throw err;
      headers['www-authenticate'] = 'Bearer realm="memory-engine"';
      // The rest of an oversized body is not waited for.
      if (e.status === 413) headers.connection = 'close';
      if (e.retryAfter !== undefined) headers['retry-after'] = String(e.retryAfter);
      return send(res, e.status, headers, e.body);
    }
    const result = await handleRpc(svc, endpoint, caller, body, requestId);
    if (result === null) return send(res, 204, headers);
    // A call that failed because the database is away says when to retry, in the header too.
    for (const r of Array.isArray(result) ? result : [result]) {
      const seconds = retryAfterOf(r.error);
      if (seconds !== undefined) headers['retry-after'] = String(seconds);
    }
    send(res, 200, headers, result);
  }
}

/**
 * Every header goes in writeHead's object: a header set before with setHeader() puts Node's
 * writeHead on its slow path (each one re-validated and merged); the drain's Connection: close
 * (server/http/listen.ts) is the one exception.
 */
function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: unknown) {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const json = JSON.stringify(body);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(json));
  res.writeHead(status, headers).end(json);
}

const header = (req: IncomingMessage, name: string): string | null => {
  const v = req.headers[name];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
};

/** Node's headers as authenticate() reads them; Fetch Headers only for the cookie path. */
const nodeHeaders = (req: IncomingMessage): RequestHeaders => ({
  get: (name) => header(req, name),
  toFetch() {
    const h = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) h.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    return h;
  },
});
