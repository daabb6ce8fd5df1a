import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/config.js';
import { contracts } from '../../contracts/index.js';
import { startServer, type RunningServer, type StartOptions } from '../../server/start.js';
import { freshDatabase } from './db.js';

export interface RpcError { code: number; message: string; data?: { code: string; [k: string]: unknown } }

export interface TestServer extends RunningServer {
  /** The bootstrap owner's API key. */
  key: string;
  /** Calls a method; resolves to the result or rejects with the JSON-RPC error. */
  call<T = any>(method: string, params?: unknown, opts?: { key?: string; space?: string; endpoint?: 'memory' | 'user' }): Promise<T>;
  /** Calls a method and returns the JSON-RPC error it must fail with. */
  fail(method: string, params?: unknown, opts?: { key?: string; space?: string; endpoint?: 'memory' | 'user' }): Promise<RpcError>;
  /** A raw POST to an RPC endpoint. */
  post(path: string, body: string, headers?: Record<string, string>): Promise<Response>;
}

/** The endpoint that serves a method, from its contract (unknown methods go to the memory endpoint). */
const endpointOf = (method: string) => contracts.find((c) => c.name === method)?.endpoint ?? 'memory';

export async function startTestServer(opts: StartOptions & { env?: Record<string, string> } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'me-test-'));
  const config = loadConfig({ ME_DATA_DIR: dataDir, ME_PORT: '0', ME_LOG_LEVEL: 'silent', ...opts.env });
  const database = opts.database ?? (await freshDatabase());
  const server = await startServer(config, { ...opts, database });
  // A second server on an existing database (replicas) finds it bootstrapped: no key of its own.
  const key = server.bootstrap?.key ?? '';
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(server.url + path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const raw = async (method: string, params: unknown, o: { key?: string; space?: string; endpoint?: 'memory' | 'user' } = {}) => {
    const endpoint = o.endpoint ?? endpointOf(method);
    const res = await post(`/api/v1/${endpoint}/rpc`, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), {
      authorization: `Bearer ${o.key ?? key}`,
      ...(o.space ? { 'x-me-space': o.space } : {}),
    });
    return (await res.json()) as { result?: any; error?: RpcError };
  };
  return {
    ...server,
    key,
    post,
    async call(method, params, o) {
      const body = await raw(method, params, o);
      if (body.error) throw Object.assign(new Error(`${method}: ${body.error.message}`), { rpc: body.error });
      return body.result;
    },
    async fail(method, params, o) {
      const body = await raw(method, params, o);
      if (!body.error) throw new Error(`${method} was expected to fail but returned ${JSON.stringify(body.result)}`);
      return body.error;
    },
    async close() {
      await server.close();
      if (!opts.database) await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
