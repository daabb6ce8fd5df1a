import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server speaking the OpenAI embeddings API (POST /v1/embeddings), standing in for
 * the provider on the internet. Its vectors are deterministic and meaningful: a hashed bag of
 * words, normalised, in which a few words share a "concept" (car / automobile / vehicle), so texts
 * that share words or concepts are similar and unrelated texts score zero.
 */
export interface EmbeddingStub {
  /** The API base to configure: ME_EMBEDDING_URL. */
  url: string;
  /** Every request body received, in order. */
  requests: { model: string; input: string[]; dimensions?: number; authorization?: string }[];
  /** When set, every request is answered with this HTTP status. */
  failWith: number | null;
  /** When set, a request holding a text it matches is rejected with 400 (a text the model refuses). */
  rejectIf: ((text: string) => boolean) | null;
  /** When set, vectors have this many dimensions whatever was asked (a misconfigured model). */
  forceDimensions: number | null;
  /** Holds requests (those whose texts match `only`, else all) until the returned function is called. */
  hold(only?: (texts: string[]) => boolean): () => void;
  /** Resolves when the next request arrives (with its texts). */
  nextRequest(): Promise<string[]>;
  close(): Promise<void>;
}

const concepts: Record<string, string> = {
  car: 'vehicle', cars: 'vehicle', automobile: 'vehicle', vehicle: 'vehicle', truck: 'vehicle',
  engine: 'motor', motor: 'motor',
  bread: 'baking', baking: 'baking', bake: 'baking', oven: 'baking',
};
const stopwords = new Set(['a', 'an', 'the', 'of', 'and', 'or', 'to', 'in', 'on', 'for', 'is', 'my', 'with']);

export function stubVector(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    if (stopwords.has(word)) continue;
    const token = concepts[word] ?? word;
    const h = createHash('sha256').update(token).digest().readUInt32BE(0);
    v[h % dimensions]! += 1;
  }
  const norm = Math.hypot(...v);
  return norm ? v.map((x) => x / norm) : v;
}

export async function startEmbeddingStub(): Promise<EmbeddingStub> {
  let gate: { wait: Promise<void>; only?: (texts: string[]) => boolean } | null = null;
  let waiters: ((texts: string[]) => void)[] = [];
  const stub: EmbeddingStub = {
    url: '',
    requests: [],
    failWith: null,
    rejectIf: null,
    forceDimensions: null,
    hold(only) {
      let release!: () => void;
      gate = { wait: new Promise<void>((r) => { release = r; }), only };
      return () => { gate = null; release(); };
    },
    nextRequest() {
      return new Promise((resolve) => waiters.push(resolve));
    },
    close: async () => {},
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
      res.writeHead(404).end('not found');
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString()) as { model: string; input: string | string[]; dimensions?: number };
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    stub.requests.push({ model: body.model, input, dimensions: body.dimensions, authorization: req.headers.authorization });
    const arrived = waiters;
    waiters = [];
    for (const w of arrived) w(input);
    if (gate && (!gate.only || gate.only(input))) await gate.wait;
    if (stub.failWith) {
      res.writeHead(stub.failWith, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'stub failure' } }));
      return;
    }
    if (stub.rejectIf && input.some(stub.rejectIf)) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'input rejected' } }));
      return;
    }
    const dims = stub.forceDimensions ?? body.dimensions ?? 64;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      object: 'list',
      model: body.model,
      data: input.map((text, index) => ({ object: 'embedding', index, embedding: stubVector(text, dims) })),
      usage: { prompt_tokens: 0, total_tokens: 0 },
    }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  stub.close = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return stub;
}
