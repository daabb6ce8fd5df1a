import type { Sql } from '../../db/connect.js';
import type { ServerConfig } from '../config.js';
import type { Logger } from '../util/log.js';
import { openAICompatible, type EmbeddingProvider } from './provider.js';
import { prepareEmbeddings } from './setup.js';
import { startWorker, type EmbeddingWorker } from './worker.js';

export interface Embeddings {
  /** The configured provider (null without ME_EMBEDDING_URL/MODEL/DIMENSIONS). */
  provider: EmbeddingProvider | null;
  /** Stops the background worker; safe to call when none runs. */
  stop(): Promise<void>;
}

/**
 * Boot-time wiring: with a provider configured and pgvector present, prepares the column, index
 * and queue for the model, then runs the worker. Without pgvector nothing is set up (semantic
 * search answers UNAVAILABLE); without a provider the queue triggers keep recording what changed
 * if embeddings were ever configured, so a later boot with the same model only embeds that.
 */
export async function startEmbeddings(
  sql: Sql, features: { vector: boolean }, config: ServerConfig['embedding'], log: Logger,
): Promise<Embeddings> {
  if (!config) return { provider: null, stop: async () => {} };
  const provider = openAICompatible(config);
  if (!features.vector) {
    log.warn('embeddings are configured but Postgres has no pgvector extension: semantic and hybrid search are unavailable', { model: config.model });
    return { provider, stop: async () => {} };
  }
  await prepareEmbeddings(sql, { model: config.model, dimensions: config.dimensions }, log);
  const [{ autovacuum } = { autovacuum: true }] = await sql<{ autovacuum: boolean }[]>`
    select exists (select 1 from pg_stat_activity where backend_type = 'autovacuum launcher') as autovacuum`;
  let worker: EmbeddingWorker | null = startWorker(sql, provider, log, {
    batch: config.batch, pollMs: config.pollMs, retryMs: config.retryMs,
    analyzeEvery: autovacuum ? 0 : 1000,
  });
  return {
    provider,
    async stop() {
      const w = worker;
      worker = null;
      await w?.stop();
    },
  };
}
