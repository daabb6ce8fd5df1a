import type { Context } from 'hono';
import type { Endpoint } from '../../contracts/define.js';
import type { Services } from '../context.js';
import { authenticate, type Audience, type CredentialVerifiers } from '../auth/authenticate.js';
import { handleRpc } from '../rpc/jsonrpc.js';
import { errorResponse, readJson, retryAfter, type EdgeEnv } from './edge.js';

/** POST /api/v1/<endpoint>/rpc: authenticate, parse, run the JSON-RPC request(s). */
export function rpcRoute(svc: Services, endpoint: Endpoint, verifiers: CredentialVerifiers, audience: () => Audience) {
  return async (c: Context<EdgeEnv>) => {
    let caller, body;
    try {
      caller = await authenticate(svc, verifiers, c.req.raw, audience());
      body = await readJson(c);
    } catch (err) {
      c.header('WWW-Authenticate', 'Bearer realm="memory-engine"');
      return errorResponse(c, err);
    }
    const result = await handleRpc(svc, endpoint, caller, body, c.get('requestId'));
    if (result === null) return c.body(null, 204);
    // A call that failed because the database is away says when to retry, in the header too.
    for (const r of Array.isArray(result) ? result : [result]) retryAfter(c, r.error);
    return c.json(result);
  };
}
