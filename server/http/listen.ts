import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { AppError } from '../../contracts/errors.js';
import { rpcError } from '../rpc/jsonrpc.js';
import { RETRY_AFTER_SECONDS } from '../util/pg-errors.js';
import type { ServedApp } from './app.js';

// The HTTP server's life: it listens before anything else starts (a busy port fails before the
// database is opened or migrated), answers 503 while the app is not there yet, and drains on close.

export interface Listener {
  /** http://host:port, with the port actually bound (0 picks one). */
  url: string;
  /** Serves requests with this app from now on (and binds the port now if that was deferred). */
  serve(app: ServedApp): Promise<void>;
  /**
   * Stops accepting, closes idle keep-alive connections, marks every response not yet sent (and any
   * request still arriving on an open connection) `Connection: close`, and resolves once the
   * in-flight requests have finished and every connection is closed.
   */
  drain(): Promise<void>;
  /** Requests whose response has not finished. */
  inFlight(): number;
  /** Destroys every connection (the shutdown deadline passed). */
  destroy(): void;
}

const slot = Symbol('open slot');
type Tracked = ServerResponse & { [slot]?: number };

/**
 * The responses not closed yet, in an array that removes by swapping with the last: a Set of
 * ServerResponse objects (a hash per response) cost ~10-20 µs of CPU per request (bench/README.md,
 * "get"), about a tenth of a memory.get.
 */
class OpenResponses {
  private list: Tracked[] = [];
  get size() {
    return this.list.length;
  }
  add(res: Tracked) {
    res[slot] = this.list.length;
    this.list.push(res);
  }
  delete(res: Tracked) {
    const at = res[slot];
    if (at === undefined) return;
    const last = this.list.pop()!;
    if (last !== res) {
      this.list[at] = last;
      last[slot] = at;
    }
    res[slot] = undefined;
  }
  [Symbol.iterator]() {
    return this.list[Symbol.iterator]();
  }
}

const pathOf = (url: string) => {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
};

/** 503 with Retry-After, in the API's error envelope, while the server starts; /health (alive) is 200. */
function starting(req: Request): Response {
  if (new URL(req.url).pathname === '/health') return Response.json({ ok: true, starting: true });
  const body = rpcError(null, new AppError('UNAVAILABLE', 'the server is starting; retry in a moment', { reason: 'SERVER_STARTING', retryAfter: RETRY_AFTER_SECONDS }), () => {});
  return Response.json(body, { status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
}

/**
 * Binds host:port; rejects with the listen error (EADDRINUSE, EACCES, …) without starting anything else.
 * `untilServing` defers the bind to serve(): a cluster worker after the first, whose port the primary
 * already holds (on `port` as given, maybe 0, bound as `untilServing.port`), would otherwise be
 * handed its share of connections while it can only answer 503.
 */
export async function listen(host: string, port: number, opts: { untilServing?: { port: number } } = {}): Promise<Listener> {
  let app: ServedApp | undefined;
  let draining = false;
  const open = new OpenResponses();
  const viaHono = getRequestListener((req, env) => (app ? app.hono.fetch(req, env) : starting(req)));
  const server = createServer((req, res) => {
    const route = app && req.method === 'POST' ? app.postRoutes.get(pathOf(req.url!)) : undefined;
    return route ? route(req, res) : viaHono(req, res);
  });
  const bind = () => new Promise<void>((resolve, reject) => {
    server.once('error', reject); // a busy port (EADDRINUSE) rejects instead of crashing the process
    server.listen(port, host, resolve);
  });
  const deferred = !!opts.untilServing;
  if (!deferred) await bind();
  // Before the app's own listener, so the header is there whenever the response is written.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    open.add(res);
    if (draining) res.setHeader('connection', 'close');
    res.once('close', closed);
  });
  function closed(this: ServerResponse) {
    open.delete(this);
    // A response whose head went out before the drain leaves its connection idle: close it now.
    if (draining) server.closeIdleConnections();
  }
  const address = server.address();
  const bound = opts.untilServing?.port ?? (typeof address === 'object' && address ? address.port : port);
  let drained: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    async serve(a) {
      app = a;
      if (deferred) await bind();
    },
    inFlight: () => open.size,
    drain() {
      drained ??= new Promise<void>((resolve) => {
        draining = true;
        for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return drained;
    },
    destroy() {
      server.closeAllConnections();
    },
  };
}
