import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { Contract } from '../../contracts/define.js';
import type { Services } from '../context.js';
import { AppError } from '../../contracts/errors.js';
import { authenticate, Unauthorized, type CredentialVerifiers } from '../auth/authenticate.js';
import { handleRpc, rpcError } from '../rpc/jsonrpc.js';

/** POST /api/v1/<endpoint>/rpc: authenticate, cap and parse the body, run the JSON-RPC request(s). */
export function rpcRoute(svc: Services, endpoint: Contract['endpoint'], verifiers: CredentialVerifiers) {
  return async (c: Context) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 100) || (randomUUID() as string);
    c.header('x-request-id', requestId);
    const fail = (status: 401 | 403 | 415, err: AppError) => c.json(rpcError(null, err, () => {}), status);
    let caller;
    try {
      caller = await authenticate(svc, c.req.raw, verifiers);
    } catch (err) {
      if (err instanceof Unauthorized || (err instanceof AppError && err.code === 'FORBIDDEN')) {
        if (err instanceof Unauthorized) c.header('WWW-Authenticate', 'Bearer realm="memory-engine"');
        return fail(err instanceof Unauthorized ? 401 : 403, err);
      }
      throw err;
    }
    const headerSpace = c.req.header('x-me-space');
    if (headerSpace) caller = { ...caller, defaultSpace: headerSpace };
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/json\b/i.test(type)) {
      return fail(415, new AppError('VALIDATION_ERROR', 'send the request as Content-Type: application/json'));
    }
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch (err) {
      return c.json({ jsonrpc: '2.0', id: null, error: { code: -32700, message: `the body is not valid JSON: ${(err as Error).message}`, data: { code: 'VALIDATION_ERROR' } } }, 400);
    }
    const result = await handleRpc(svc, endpoint, caller, body, requestId);
    return result === null ? c.body(null, 204) : c.json(result);
  };
}
