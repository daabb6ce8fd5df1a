// JSON-RPC calls from the pages, typed by the operation contracts (type-only: no zod in the bundle).
import type { AnyContract, OpInput, OpName, OpOutput } from '../../contracts/index.js';

type OnEndpoint<E extends AnyContract['endpoint']> = Extract<AnyContract, { endpoint: E }>['name'];

/** An RPC error as the server sent it: the message says what to do; `status` 401 = not signed in. */
export class RpcError extends Error {
  constructor(message: string, readonly status: number, readonly code: string | undefined, readonly data: Record<string, unknown> = {}) {
    super(message);
  }
}

/** Called when the session is gone (401): the app sends the person to sign in. */
let onSignedOut: (() => void) | null = null;
export const whenSignedOut = (fn: () => void) => { onSignedOut = fn; };

async function call<N extends OpName>(endpoint: 'memory' | 'user', method: N, params: OpInput<N>): Promise<OpOutput<N>> {
  const res = await fetch(`/api/v1/${endpoint}/rpc`, {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json().catch(() => ({ error: { message: `the server answered ${res.status}` } }))) as {
    result?: OpOutput<N>; error?: { message: string; data?: { code?: string } & Record<string, unknown> };
  };
  if (res.status === 401) onSignedOut?.();
  if (body.error) throw new RpcError(body.error.message, res.status, body.error.data?.code, body.error.data);
  return body.result as OpOutput<N>;
}

export const userRpc = <N extends OnEndpoint<'user'>>(method: N, params: OpInput<N>) => call('user', method, params);
export const memoryRpc = <N extends OnEndpoint<'memory'>>(method: N, params: OpInput<N>) => call('memory', method, params);
