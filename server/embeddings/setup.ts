import type { Sql, TxSql } from '../../db/connect.js';
import type { Logger } from '../util/log.js';

// Any constant works; it only has to be the same for every server sharing the database.
const LOCK_KEY = 0x6d655f65; // "me_e"
/** pgvector's HNSW index handles `vector` columns of at most 2000 dimensions. */
export const HNSW_MAX_DIMENSIONS = 2000;

export interface EmbeddingModel { model: string; dimensions: number }

export interface PrepareResult {
  /** Why every memory was queued again, if it was. */
  reset: 'first' | 'model' | 'dimensions' | null;
  /** Memories queued by this boot. */
  queued: number;
}

/**
 * Makes the database ready for `model` (requires the vector extension): the `embedding
 * vector(D)` column on core.memory, its HNSW cosine index, and the core.setting row that switches
 * the queue triggers on. If the stored embeddings belong to another model or size, they are
 * cleared and every memory is queued again. Runs under a transaction-level advisory lock, so
 * servers booting together do this once.
 */
export async function prepareEmbeddings(sql: Sql, want: EmbeddingModel, log: Logger): Promise<PrepareResult> {
  return sql.begin(async (tx) => {
    // Clearing and re-queueing a large table can outlast the request statement timeout.
    await tx`select set_config('statement_timeout', '0', true)`;
    await tx`select pg_advisory_xact_lock(${LOCK_KEY})`;
    const [setting] = await tx<{ value: EmbeddingModel }[]>`select value from core.setting where key = 'embedding'`;
    const stored = setting?.value ?? null;
    const column = await columnType(tx);
    const wanted = `vector(${want.dimensions})`;
    let reset: PrepareResult['reset'] = null;

    if (column !== wanted) {
      if (column) {
        // Different size: the old vectors are useless, and a column cannot change its dimensions in place.
        await tx`drop index if exists core.memory_embedding_idx`;
        await tx.unsafe('alter table core.memory drop column embedding');
        reset = 'dimensions';
      }
      await tx.unsafe(`alter table core.memory add column embedding vector(${want.dimensions})`);
    }
    if (!reset && stored && stored.model !== want.model) {
      // Same size, other model: vectors from two models are not comparable. Writing the embedding
      // keeps the version, so the history trigger records nothing.
      await tx`update core.memory set embedding = null where embedding is not null`;
      reset = 'model';
    }
    if (!reset && !stored) reset = 'first';
    await ensureIndex(tx, want.dimensions, log);
    await tx`insert into core.setting (key, value) values ('embedding', ${tx.json({ model: want.model, dimensions: want.dimensions })})
      on conflict (key) do update set value = excluded.value`;
    if (!stored) await tx`select core.set_embedding_queue(true)`;

    let queued: number;
    if (reset === 'model' || reset === 'dimensions') {
      await tx`delete from core.embedding_queue`;
      queued = (await tx`insert into core.embedding_queue (memory_id, space_id, version)
        select id, space_id, version from core.memory`).count;
    } else {
      // The triggers keep the queue current; this also catches memories written before the
      // setting existed (the first boot with a provider) or whose job was lost.
      queued = (await tx`insert into core.embedding_queue (memory_id, space_id, version)
        select m.id, m.space_id, m.version from core.memory m
        where m.embedding is null and not exists (select 1 from core.embedding_queue q where q.memory_id = m.id)
        on conflict (memory_id) do nothing`).count;
    }
    if (reset === 'model' || reset === 'dimensions') {
      log.info('embeddings reset: every memory is queued again', { reason: reset, from: stored, to: want, queued });
    } else if (queued) {
      log.info('queued memories for embedding', { queued });
    }
    return { reset, queued };
  }) as Promise<PrepareResult>;
}

async function columnType(tx: TxSql): Promise<string | null> {
  const [row] = await tx<{ type: string }[]>`select format_type(atttypid, atttypmod) as type from pg_attribute
    where attrelid = 'core.memory'::regclass and attname = 'embedding' and not attisdropped`;
  return row?.type ?? null;
}

async function ensureIndex(tx: TxSql, dimensions: number, log: Logger) {
  // Look first: CREATE INDEX IF NOT EXISTS still locks the table against writes.
  const [exists] = await tx`select 1 from pg_class where relname = 'memory_embedding_idx' and relnamespace = 'core'::regnamespace`;
  if (exists) return;
  if (dimensions > HNSW_MAX_DIMENSIONS) {
    log.warn('no HNSW index: pgvector indexes at most 2000 dimensions; semantic search scans every embedding', { dimensions });
    return;
  }
  await tx.unsafe('create index memory_embedding_idx on core.memory using hnsw (embedding vector_cosine_ops)');
}
