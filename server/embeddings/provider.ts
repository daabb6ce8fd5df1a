/** Turns texts into vectors. One real implementation: the OpenAI-compatible /v1/embeddings API. */
export interface EmbeddingProvider {
  model: string;
  dimensions: number;
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
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
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
        body: JSON.stringify({ model: opts.model, input: texts, dimensions: opts.dimensions, encoding_format: 'float' }),
        signal: signal ?? AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
      if (!res.ok) {
        const detail = (await res.text().catch(() => '')).slice(0, 300);
        throw new Error(`embedding provider answered ${res.status}: ${detail}`);
      }
      const body = (await res.json()) as { data?: { index: number; embedding: number[] }[] };
      if (!Array.isArray(body.data) || body.data.length !== texts.length) {
        throw new Error(`embedding provider returned ${body.data?.length ?? 'no'} embeddings for ${texts.length} inputs`);
      }
      const out = [...body.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      for (const v of out) {
        if (v.length !== opts.dimensions) throw new Error(`embedding provider returned ${v.length} dimensions, expected ${opts.dimensions} (ME_EMBEDDING_DIMENSIONS)`);
      }
      return out;
    },
  };
}
