import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sql } from '../../db/connect.js';

/**
 * The floor for memory.get: the least a Node server can do for the same request on the same
 * database — node:http, read the JSON body, one postgres.js get-by-id of the columns memory.get
 * returns, JSON out. No framework, auth, validation or access check. Runs in the bench process
 * like our server, so both are measured with the same load generator and the same CPU accounting.
 */
export async function startFloorServer(sql: Sql): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const { params } = JSON.parse(Buffer.concat(chunks).toString()) as { params: { id: string } };
        const [row] = await sql`select id, tree::text as tree, name, content, meta,
          lower(temporal) as t_start, upper(temporal) as t_end, created_by, created_at, updated_at, version
          from core.memory where id = ${params.id}`;
        const body = JSON.stringify({ jsonrpc: '2.0', id: 1, result: row });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}
