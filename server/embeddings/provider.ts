import { z } from 'zod';

const responseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

/** Turns texts into vectors. One real implementation: the OpenAI-compatible /v1/embeddings API. */
export interface EmbeddingProvider {
  model: string;
  dimensions: number;
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
}

/** A failed provider call; `status` is the HTTP status when the provider answered at all. */
export class EmbeddingError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'EmbeddingError';
  }
  /** The provider rejected the input itself (too long, bad encoding): retrying the batch as is will not help. */
  get rejectedInput() {
    return this.status === 400 || this.status === 413 || this.status === 422;
  }
}

export interface OpenAICompatibleOptions { url: string; model: string; dimensions: number; apiKey?: string; timeoutMs?: number }

/**
 * Speaks POST <url>/embeddings as OpenAI, Ollama, vLLM and LM Studio do. `url` is the API base,
 * e.g. https://api.openai.com/v1 or http://localhost:11434/v1.
 */
export function openAICompatible(opts: OpenAICompatibleOptions): EmbeddingProvider {
  const endpoint = opts.url.replace(/\/+$/, '') + '/embeddings';
  return {
    model: opts.model,
    dimensions: opts.dimensions,
    async embed(texts, signal) {
      const limit = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
      const timeout = signal ? AbortSignal.any([signal, limit]) : limit;
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
        body: JSON.stringify({ model: opts.model, input: texts, dimensions: opts.dimensions, encoding_format: 'float' }),
        signal: timeout,
      }).catch((err: Error) => {
        throw new EmbeddingError(`embedding provider at ${endpoint} unreachable: ${err.name === 'TimeoutError' ? 'timed out' : (err.cause as Error | undefined)?.message ?? err.message}`);
      });
      if (!res.ok) {
        const detail = (await res.text().catch(() => '')).slice(0, 300);
        throw new EmbeddingError(`embedding provider answered ${res.status}: ${detail}`, res.status);
      }
      const parsed = responseSchema.safeParse(await res.json().catch(() => null));
      if (!parsed.success) throw new EmbeddingError(`embedding provider answered with an unexpected body (${parsed.error.issues[0]?.message}); is ME_EMBEDDING_URL an OpenAI-compatible API base such as http://host/v1?`);
      const body = parsed.data;
      if (body.data.length !== texts.length) {
        throw new EmbeddingError(`embedding provider returned ${body.data.length} embeddings for ${texts.length} inputs`);
      }
      const out = [...body.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      for (const v of out) {
        if (v.length !== opts.dimensions) throw new EmbeddingError(`embedding provider returned ${v.length} dimensions, expected ${opts.dimensions} (ME_EMBEDDING_DIMENSIONS)`);
      }
      return out;
    },
  };
}
