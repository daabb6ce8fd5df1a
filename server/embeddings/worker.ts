import type { Sql } from '../../db/connect.js';
import type { Logger } from '../util/log.js';
import { EmbeddingError, type EmbeddingProvider } from './provider.js';

export interface WorkerOptions {
  /** Memories per provider call. */
  batch: number;
  /** Wait between looks at an empty queue. */
  pollMs: number;
  /** First retry delay after a failure; doubles per attempt up to maxRetryMs. */
  retryMs: number;
  maxRetryMs?: number;
  /** How long a claimed job stays invisible to other workers; longer than a provider call can take. */
  leaseMs?: number;
  /** Texts are cut to this many characters before embedding (models have input limits). */
  maxChars?: number;
  /**
   * Where no autovacuum runs (the embedded database), refresh core.memory's statistics once the
   * queue drains after this many embeddings were written; stale statistics keep the planner
   * from using the HNSW index. 0 = never.
   */
  analyzeEvery?: number;
}

export interface EmbeddingWorker {
  /** Stops claiming work, aborts a provider call in flight (its jobs become due again) and waits. */
  stop(): Promise<void>;
}

interface Job { id: string; version: number; attempts: number; text: string }

export const MAX_CHARS = 16_000;

/** Delay before attempt `attempts + 1`, after `attempts` failures: retryMs · 2^(attempts-1), capped. */
export function backoffMs(attempts: number, retryMs: number, maxRetryMs: number) {
  return Math.min(maxRetryMs, retryMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
}

/**
 * Drains core.embedding_queue in the background. A batch is claimed in one short statement
 * (FOR UPDATE SKIP LOCKED, then a lease), the provider is called with no transaction open (the
 * embedded database has a single connection that writes must not wait for), and each embedding is
 * written only if the memory still has the version that was read: a newer text has its own job.
 */
export function startWorker(sql: Sql, provider: EmbeddingProvider, log: Logger, opts: WorkerOptions): EmbeddingWorker {
  const leaseMs = opts.leaseMs ?? 120_000;
  const maxRetryMs = opts.maxRetryMs ?? 3_600_000;
  const maxChars = opts.maxChars ?? MAX_CHARS;
  const abort = new AbortController();
  let stopped = false;
  let writtenSinceAnalyze = 0;

  async function claim(): Promise<Job[]> {
    return sql<Job[]>`
      with c as (
        select memory_id from core.embedding_queue
        where run_after <= now()
        order by run_after
        limit ${opts.batch}
        for update skip locked)
      update core.embedding_queue q
        set run_after = now() + ${leaseMs} * interval '1 millisecond', attempts = q.attempts + 1
      from c join core.memory m on m.id = c.memory_id
      where q.memory_id = c.memory_id
      returning q.memory_id as id, q.version, q.attempts, left(m.content, ${maxChars}) as text`;
  }

  async function save(jobs: Job[], vectors: number[][]) {
    const ids = jobs.map((j) => j.id);
    const versions = jobs.map((j) => j.version);
    const literals = vectors.map((v) => JSON.stringify(v));
    await sql.begin(async (tx) => {
      const written = await tx`update core.memory m set embedding = v.e::vector
        from unnest(${ids}::uuid[], ${versions}::int[], ${literals}::text[]) as v(id, ver, e)
        where m.id = v.id and m.version = v.ver`;
      await tx`delete from core.embedding_queue q using unnest(${ids}::uuid[], ${versions}::int[]) as v(id, ver)
        where q.memory_id = v.id and q.version = v.ver`;
      // Jobs whose memory changed meanwhile: their result was discarded; make them due now
      // instead of waiting out the lease.
      await tx`update core.embedding_queue q set run_after = now()
        from unnest(${ids}::uuid[], ${versions}::int[]) as v(id, ver)
        where q.memory_id = v.id and q.version <> v.ver and q.run_after > now()`;
      if (written.count < jobs.length) log.info('skipped stale embeddings', { stale: jobs.length - written.count });
      writtenSinceAnalyze += written.count;
    });
  }

  async function fail(jobs: Job[], err: Error) {
    const message = err.message.slice(0, 1000);
    const delays = jobs.map((j) => backoffMs(j.attempts, opts.retryMs, maxRetryMs));
    await sql`update core.embedding_queue q
      set last_error = ${message}, last_error_at = now(), run_after = now() + v.delay * interval '1 millisecond'
      from unnest(${jobs.map((j) => j.id)}::uuid[], ${jobs.map((j) => j.version)}::int[], ${delays}::float8[]) as v(id, ver, delay)
      where q.memory_id = v.id and q.version = v.ver`;
    log.warn('embedding failed; will retry', { jobs: jobs.length, attempts: Math.max(...jobs.map((j) => j.attempts)), error: message });
  }

  /** Shutdown interrupted the call: hand the jobs back as they were. */
  async function release(jobs: Job[]) {
    await sql`update core.embedding_queue q set run_after = now(), attempts = greatest(q.attempts - 1, 0)
      from unnest(${jobs.map((j) => j.id)}::uuid[], ${jobs.map((j) => j.version)}::int[]) as v(id, ver)
      where q.memory_id = v.id and q.version = v.ver`;
  }

  async function handle(jobs: Job[]): Promise<void> {
    let vectors: number[][];
    try {
      vectors = await provider.embed(jobs.map((j) => j.text), abort.signal);
    } catch (err) {
      if (stopped) return release(jobs);
      // One bad text must not hold back the others: retry them one by one.
      if (err instanceof EmbeddingError && err.rejectedInput && jobs.length > 1) {
        for (const job of jobs) await handle([job]);
        return;
      }
      return fail(jobs, err as Error);
    }
    await save(jobs, vectors);
  }

  async function loop() {
    while (!stopped) {
      let claimed = 0;
      try {
        const jobs = await claim();
        claimed = jobs.length;
        if (claimed) await handle(jobs);
        else if (opts.analyzeEvery && writtenSinceAnalyze >= opts.analyzeEvery) {
          writtenSinceAnalyze = 0;
          await sql`analyze core.memory`;
        }
      } catch (err) {
        if (!stopped) log.error('embedding worker error', { error: String(err) });
      }
      // A full batch suggests more work: go again at once; otherwise wait for new writes.
      if (!stopped && claimed < opts.batch) await sleep(opts.pollMs, abort.signal);
    }
  }

  const running = loop();
  return {
    async stop() {
      stopped = true;
      abort.abort();
      await running;
    },
  };
}

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
