import { createInterface } from 'node:readline';

/**
 * `me mcp` without any credential: say so on stderr, and answer the client's first request (its
 * `initialize`) with a JSON-RPC error carrying the same sentence, so the MCP client shows why
 * instead of a server that starts and then fails every call. Resolves when the answer is written.
 */
export async function refuseWithoutCredentials(server: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream, log: (line: string) => void): Promise<void> {
  const message = `me mcp: not signed in to ${server}: run \`me login\` or set ME_API_KEY`;
  log(message);
  if ((input as { isTTY?: boolean }).isTTY) return;
  const rl = createInterface({ input });
  try {
    for await (const line of rl) {
      let msg: { id?: unknown; method?: unknown };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        continue;
      }
      if (msg.id === undefined || typeof msg.method !== 'string') continue; // notifications need no answer
      await new Promise<void>((resolve) => output.write(JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: { code: -32001, message } }) + '\n', () => resolve()));
      return;
    }
  } finally {
    rl.close();
  }
}
