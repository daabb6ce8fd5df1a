// JSON-RPC calls from the pages, typed by the operation contracts (type-only: no zod in the bundle).
import type { AnyContract, OpInput, OpName, OpOutput } from '../../contracts/index.js';

type OnEndpoint<E extends AnyContract['endpoint']> = Extract<AnyContract, { endpoint: E }>['name'];

/** An RPC error as the server sent it: the message says what to do; `status` 401 = not signed in. */
export class RpcError extends Error {
  constructor(message: string, readonly status: number, readonly code: string | undefined) {
    super(message);
  }
}

async function call<N extends OpName>(endpoint: 'memory' | 'user', method: N, params: OpInput<N>): Promise<OpOutput<N>> {
  const res = await fetch(`/api/v1/${endpoint}/rpc`, {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: OpOutput<N>; error?: { message: string; data?: { code?: string } } };
  if (body.error) throw new RpcError(body.error.message, res.status, body.error.data?.code);
  return body.result as OpOutput<N>;
}

export const userRpc = <N extends OnEndpoint<'user'>>(method: N, params: OpInput<N>) => call('user', method, params);
export const memoryRpc = <N extends OnEndpoint<'memory'>>(method: N, params: OpInput<N>) => call('memory', method, params);
