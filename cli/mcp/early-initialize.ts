import { PassThrough, Writable, type Readable } from 'node:stream';
import type { ServerIdentity } from '../../mcp/identity.js';

/**
 * Protocol versions `me mcp` answers `initialize` for before the MCP SDK has loaded: a subset of the
 * SDK's SUPPORTED_PROTOCOL_VERSIONS (a test checks it). Any other version goes to the SDK, which
 * negotiates it.
 */
export const EARLY_PROTOCOL_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

/** The streams the SDK's stdio transport then reads and writes. */
export interface HandOver { input: Readable; output: Writable }

/**
 * An agent waits for `me mcp` to answer `initialize`, and loading the MCP SDK (its protocol
 * schemas are built with zod at import, ~40 ms) takes most of the process's start. So the first
 * message, when it is a plain `initialize` for a version listed above, is answered from the
 * server's identity at once, while the SDK loads. The SDK still sees every message: the
 * `initialize` is replayed to it first (so it knows the client's capabilities) and its own answer,
 * which must be the same, is dropped (`onMismatch` when it is not). Anything else goes to the SDK
 * untouched.
 */
export function answerInitializeEarly(
  stdin: Readable, stdout: Writable, identity: ServerIdentity, onMismatch: (ours: string, sdk: string) => void,
): Promise<HandOver> {
  return new Promise((resolve) => {
    const input = new PassThrough();
    let buffered = '';
    const onData = (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      stdin.off('data', onData).off('end', onEnd);
      const first = buffered.slice(0, newline);
      const early = earlyResult(first, identity);
      if (early) stdout.write(early.line);
      input.write(buffered);
      stdin.pipe(input);
      resolve({ input, output: early ? dropping(early, stdout, onMismatch) : stdout });
    };
    const onEnd = () => {
      input.end(buffered);
      resolve({ input, output: stdout });
    };
    stdin.on('data', onData).on('end', onEnd);
  });
}

/** The answer to a plain `initialize` request, or null for anything the SDK must see first. */
function earlyResult(line: string, identity: ServerIdentity): { id: string | number; line: string } | null {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return null;
  }
  const m = msg as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: Record<string, unknown> };
  const p = m?.params;
  const info = p?.clientInfo as { name?: unknown; version?: unknown } | undefined;
  const plain = m?.jsonrpc === '2.0' && m.method === 'initialize' && (typeof m.id === 'string' || typeof m.id === 'number')
    && typeof p?.protocolVersion === 'string' && EARLY_PROTOCOL_VERSIONS.includes(p.protocolVersion)
    && isObject(p.capabilities) && typeof info?.name === 'string' && typeof info?.version === 'string';
  if (!plain) return null;
  const result = { protocolVersion: p!.protocolVersion, ...identity };
  return { id: m.id as string | number, line: JSON.stringify({ result, jsonrpc: '2.0', id: m.id }) + '\n' };
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** stdout, minus the SDK's own answer to the replayed `initialize` (compared with ours). */
function dropping(early: { id: string | number; line: string }, stdout: Writable, onMismatch: (ours: string, sdk: string) => void): Writable {
  let dropped = false;
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = chunk.toString();
      if (!dropped) {
        const msg = JSON.parse(text) as { id?: unknown; method?: unknown };
        if (msg.id === early.id && msg.method === undefined) {
          dropped = true;
          if (!sameJson(text, early.line)) onMismatch(early.line, text);
          return done();
        }
      }
      if (stdout.write(chunk)) done();
      else stdout.once('drain', () => done());
    },
  });
}

const sameJson = (a: string, b: string) => JSON.stringify(sortKeys(JSON.parse(a))) === JSON.stringify(sortKeys(JSON.parse(b)));
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortKeys)
    : isObject(v) ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)]))
      : v;
