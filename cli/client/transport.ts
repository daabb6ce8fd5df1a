import { MeError } from './errors.js';
import { post } from './http.js';

export type Endpoint = 'memory' | 'user';

export interface TransportOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:3210. */
  server: string;
  /** Returns the bearer token to send (an API key or an OAuth access token); null sends none. */
  getToken: () => Promise<string | null> | string | null;
  /**
   * Called once when the server answers 401. Return true after obtaining a new credential (e.g. a
   * refreshed token): the request is then retried once with the token getToken returns next.
   */
  onUnauthorized?: (rejectedToken: string | null) => Promise<boolean> | boolean;
  /** Default space slug, sent as X-Me-Space (a per-call `space` param wins on the server). */
  space?: string;
  /** Injected fetch (proxies, custom agents); default: node:http(s), which starts faster than fetch. */
  fetch?: typeof fetch;
  /** Extra headers on every request (e.g. a user agent). */
  headers?: Record<string, string>;
}

let nextId = 1;

interface RpcBody {
  result?: unknown;
  error?: { code: number; message: string; data?: { code?: string; [k: string]: unknown } };
}

/** One JSON-RPC 2.0 call to `<server>/api/v1/<endpoint>/rpc`, with one retry after a 401 if onUnauthorized allows. */
export async function rpc(opts: TransportOptions, endpoint: Endpoint, method: string, params: object = {}): Promise<unknown> {
  const url = `${opts.server.replace(/\/+$/, '')}/api/v1/${endpoint}/rpc`;
  const send = async (token: string | null): Promise<{ status: number; text: string }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...opts.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.space) headers['x-me-space'] = opts.space;
    const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params });
    try {
      if (!opts.fetch) return await post(url, headers, body);
      const res = await opts.fetch(url, { method: 'POST', headers, body });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
      throw new MeError('NETWORK', `cannot reach ${opts.server}: ${e.code ?? e.cause?.code ?? e.cause?.message ?? e.message}`, { method });
    }
  };
  let token = await opts.getToken();
  let res = await send(token);
  if (res.status === 401 && opts.onUnauthorized && (await opts.onUnauthorized(token))) {
    token = await opts.getToken();
    res = await send(token);
  }
  const text = res.text;
  let body: RpcBody;
  try {
    body = JSON.parse(text) as RpcBody;
  } catch {
    throw new MeError('PROTOCOL', `${url} answered HTTP ${res.status} with a non-JSON body: ${text.slice(0, 200)}`, { status: res.status, method });
  }
  if (body.error) {
    const { code: appCode, ...data } = body.error.data ?? {};
    const code = appCode ?? (res.status === 401 ? 'UNAUTHORIZED' : 'ERROR');
    throw new MeError(code, body.error.message, { status: res.status, rpcCode: body.error.code, method, data });
  }
  if (res.status < 200 || res.status >= 300) throw new MeError('PROTOCOL', `${url} answered HTTP ${res.status}`, { status: res.status, method });
  if (!('result' in body)) throw new MeError('PROTOCOL', `${url} answered without a result`, { status: res.status, method });
  return body.result;
}
