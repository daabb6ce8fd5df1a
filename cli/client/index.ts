// The Memory Engine client library: shared by the `me` CLI, `me mcp` and scripts.
//
//   import { createClient, bearerSource } from 'memory-engine/dist/cli/client/index.js';
//   const auth = bearerSource('http://127.0.0.1:3210');
//   const me = createClient({ server: 'http://127.0.0.1:3210', ...auth, space: 'default' });
//   const hits = await me.call('memory.search', { query: 'deploy' });
import { findSpec } from '../spec/load.js';
import { MeError } from './errors.js';
import type { OpInput, OpName, OpOutput } from '../../contracts/index.js';
import { rpc, type Endpoint, type TransportOptions } from './transport.js';

export { MeError } from './errors.js';
export type { OpInput, OpName, OpOutput } from '../../contracts/index.js';
export type { TransportOptions, Endpoint } from './transport.js';
export { bearerSource, type BearerSource } from '../auth/bearer.js';

export interface Client {
  readonly server: string;
  readonly space: string | undefined;
  /** A typed call of a known operation. */
  call<N extends OpName>(method: N, params: OpInput<N>): Promise<OpOutput<N>>;
  /** Any operation by name (e.g. one newer than this client); the endpoint comes from the contract. */
  call(method: string, params?: object): Promise<unknown>;
  /** The same client bound to another default space. */
  withSpace(space: string | undefined): Client;
}

async function endpointOf(method: string): Promise<Endpoint> {
  const spec = await findSpec(method);
  if (!spec) throw new MeError('VALIDATION_ERROR', `unknown operation "${method}"`, { method });
  return spec.endpoint;
}

/** A client over JSON-RPC; `getToken`/`onUnauthorized` are the credential seams (see bearerSource). */
export function createClient(opts: TransportOptions): Client {
  const client: Client = {
    server: opts.server,
    space: opts.space,
    async call(method: string, params: object = {}) {
      return rpc(opts, await endpointOf(method), method, params);
    },
    withSpace: (space) => createClient({ ...opts, space }),
  } as Client;
  return client;
}
