import { randomUUID } from 'node:crypto';
import { AppError, errorCodes } from '../../contracts/errors.js';
import type { Contract } from '../../contracts/define.js';
import type { Caller, Services } from '../context.js';
import { classifyError } from '../util/pg-errors.js';
import { findOperation, invoke } from './dispatch.js';

type Id = string | number | null;
interface RpcResponse { jsonrpc: '2.0'; id: Id; result?: unknown; error?: { code: number; message: string; data?: unknown } }

export const MAX_BATCH_REQUESTS = 50;

export function rpcError(id: Id, thrown: unknown, onInternal: (err: unknown) => void): RpcResponse {
  const err = classifyError(thrown);
  if (err) {
    const rpcCode = (err.data?.rpcCode as number | undefined) ?? errorCodes[err.code];
    const { rpcCode: _omit, reason: _reason, httpStatus: _status, ...data } = err.data ?? {};
    return { jsonrpc: '2.0', id, error: { code: rpcCode, message: err.message, data: { code: err.code, reason: err.reason, ...data } } };
  }
  onInternal(thrown);
  return { jsonrpc: '2.0', id, error: { code: errorCodes.INTERNAL, message: 'internal error; it has been logged', data: { code: 'INTERNAL', reason: 'INTERNAL' } } };
}

const invalid = (message: string) => new AppError('VALIDATION_ERROR', message, { rpcCode: -32600, reason: 'INVALID_REQUEST' });

/** JSON-RPC 2.0 ids are strings, numbers or null; a number that overflowed while parsing (1e400) is no id. */
const validId = (id: unknown): id is Id => id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));

async function one(svc: Services, endpoint: Contract['endpoint'], caller: Caller, req: unknown, requestId: string): Promise<RpcResponse | null> {
  const r = req as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
  const id: Id = validId(r?.id) ? r.id : null;
  const started = performance.now();
  let method = '?';
  try {
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw invalid('a JSON-RPC request must be an object');
    if (r.jsonrpc !== '2.0') throw invalid('"jsonrpc" must be "2.0"');
    if (r.id !== undefined && !validId(r.id)) throw invalid('"id" must be a string, a finite number or null');
    if (typeof r.method !== 'string') throw invalid('"method" must be a string, e.g. "memory.search"');
    method = r.method;
    if (r.params !== undefined && (typeof r.params !== 'object' || r.params === null || Array.isArray(r.params))) {
      throw new AppError('VALIDATION_ERROR', '"params" must be an object of named parameters');
    }
    const op = findOperation(endpoint, r.method);
    const result = await invoke(svc, caller, op, r.params, requestId);
    svc.log.info('rpc', { requestId, method, ms: +(performance.now() - started).toFixed(2), principal: caller.principalId, credential: caller.credential });
    return r.id === undefined ? null : { jsonrpc: '2.0', id, result };
  } catch (err) {
    const res = rpcError(id, err, (e) => svc.log.error('rpc failed', { requestId, method, error: String((e as Error)?.stack ?? e) }));
    const code = (res.error!.data as { code: string }).code;
    if (code !== 'INTERNAL') svc.log.info('rpc', { requestId, method, ms: +(performance.now() - started).toFixed(2), code, principal: caller.principalId });
    return res;
  }
}

/** Handles a parsed JSON-RPC body (a request or a batch). Returns null when only notifications. */
export function handleRpc(svc: Services, endpoint: Contract['endpoint'], caller: Caller, body: unknown, requestId: string = randomUUID()): Promise<RpcResponse | RpcResponse[] | null> {
  // A single request (nearly every call) is one() itself, without another async frame around it.
  return Array.isArray(body) ? batch(svc, endpoint, caller, body, requestId) : one(svc, endpoint, caller, body, requestId);
}

async function batch(svc: Services, endpoint: Contract['endpoint'], caller: Caller, body: unknown[], requestId: string) {
  if (body.length === 0) return rpcError(null, invalid('an empty batch'), () => {});
  if (body.length > MAX_BATCH_REQUESTS) return rpcError(null, invalid(`a batch holds at most ${MAX_BATCH_REQUESTS} requests`), () => {});
  const out: RpcResponse[] = [];
  for (const req of body) {
    const res = await one(svc, endpoint, caller, req, requestId);
    if (res) out.push(res);
  }
  return out.length ? out : null;
}
