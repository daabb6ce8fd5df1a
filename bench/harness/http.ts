import http from 'node:http';

/** A keep-alive JSON-RPC client (one per target), so requests measure the server, not TCP setup. */
export class RpcClient {
  private readonly agent: http.Agent;
  constructor(readonly url: string, readonly key: string, maxSockets = 8) {
    // Idle sockets close before the server's keep-alive timeout (5 s): a request sent on one the
    // server is closing at that moment fails with ECONNRESET (seen after a long maintenance pass).
    this.agent = new http.Agent({ keepAlive: true, maxSockets, timeout: 4000 });
  }

  /** Calls a method on /api/v1/<endpoint>/rpc; resolves to the result, throws the JSON-RPC error. */
  async call<T = any>(method: string, params: unknown, endpoint: 'memory' | 'user' = 'memory'): Promise<T> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
    const text = await post(this.agent, `${this.url}/api/v1/${endpoint}/rpc`, body, { authorization: `Bearer ${this.key}` });
    const res = JSON.parse(text) as { result?: T; error?: { message: string } };
    if (res.error) throw new Error(`${method}: ${res.error.message}`);
    return res.result as T;
  }

  close() {
    this.agent.destroy();
  }
}

export function post(agent: http.Agent, url: string, body: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
