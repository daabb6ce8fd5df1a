import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { EmbeddedSocket, type SessionHost } from './embedded-socket.js';
import type { FromWorker, ToWorker } from './embedded-worker.js';
import { lockDataDir, removeStaleSocketDirs } from './lock.js';

export { embeddedExtensions } from './embedded-extensions.js';

export interface EmbeddedPostgres {
  /**
   * A connection to the one Postgres session, for postgres.js's `socket` option. PGlite is one
   * session: only one connection is open at a time (a new one ends the previous one).
   */
  connect(): EmbeddedSocket;
  /** The whole data directory as a gzipped tarball (tests clone a migrated template from it). */
  dumpDataDir(): Promise<Blob>;
  /** Times a query ran past the time bound and the database was reopened. */
  readonly restarts: number;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir?: string;
  loadDataDir?: Blob;
  /** A request group running longer than this is cut off (0 = no bound; in-memory: never). */
  statementTimeoutMs?: number;
}

// The worker file next to this one: .js when compiled; .ts when this file runs under tsx (tests,
// bench), where the worker registers tsx itself first (a worker does not inherit the hooks).
const here = new URL(import.meta.url);
const underTsx = here.pathname.endsWith('.ts');
function spawnWorker(workerData: unknown, transferList: ArrayBuffer[]) {
  if (!underTsx) return new Worker(new URL('./embedded-worker.js', here), { workerData, transferList });
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new URL('./embedded-worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(worker)}); })`;
  return new Worker(boot, { eval: true, workerData, transferList });
}

/**
 * Opens PGlite (Postgres in WASM) in a worker thread, so a running query never blocks this thread.
 * PGlite does not honour statement_timeout (its single thread never checks for the timer), so the
 * bound is kept from here: a request group that runs past it is answered with Postgres' own
 * statement-timeout error (57014), the worker is terminated and the data dir reopened (crash
 * recovery keeps every committed transaction), and the session carries on (db/embedded-socket.ts).
 */
export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  // Before anything touches the files: a second server on the same dir stops here (db/lock.ts).
  const unlock = opts.dataDir ? lockDataDir(opts.dataDir) : () => {};
  try {
    if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    removeStaleSocketDirs(); // left by versions that served PGlite on a Unix socket
    const host = new Host(opts);
    await host.open(opts.loadDataDir ? await opts.loadDataDir.arrayBuffer() : undefined);
    return {
      connect: () => host.connect(),
      dumpDataDir: () => host.dump(),
      get restarts() { return host.restarts; },
      async close() {
        try { await host.close(); } finally { unlock(); }
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}

class Host implements SessionHost {
  ready = false;
  restarts = 0;
  private worker: Worker | null = null;
  private current: EmbeddedSocket | null = null;
  /** Who each exec in the worker belongs to, oldest first, and when the oldest started. */
  private owners: EmbeddedSocket[] = [];
  private oldestSince = 0;
  private waiting: { dump?: (b: Blob) => void; closed?: () => void } = {};
  private watchdog: NodeJS.Timeout | undefined;
  private failure: Error | null = null;
  private closing = false;
  private reopening: Promise<void> | undefined;

  constructor(private opts: EmbeddedOptions) {
    const bound = opts.dataDir ? opts.statementTimeoutMs ?? 0 : 0; // in memory, a restart would lose everything
    if (bound > 0) {
      this.watchdog = setInterval(() => {
        const owner = this.owners[0];
        if (owner && !owner.unbounded && performance.now() - this.oldestSince > bound) void this.cutOff();
      }, Math.min(100, bound / 4));
      this.watchdog.unref();
    }
  }

  async open(loadDataDir?: ArrayBuffer) {
    const worker = spawnWorker({ dataDir: this.opts.dataDir, loadDataDir }, loadDataDir ? [loadDataDir] : []);
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (worker !== this.worker) return; // a terminated generation
        if (m.type === 'ready') { this.ready = true; resolve(); }
        else if (m.type === 'failed') { reject(new Error(`the embedded database failed: ${m.message}`)); this.fail(new Error(m.message)); }
        else if (m.type === 'out') this.out(m.data);
        else if (m.type === 'dump') this.waiting.dump?.(new Blob([m.data]));
        else if (m.type === 'closed') this.waiting.closed?.();
      });
      worker.once('error', (err) => { if (worker === this.worker) { reject(err); this.fail(err); } });
      worker.once('exit', (code) => {
        if (worker === this.worker && !this.closing) { const err = new Error(`the embedded database stopped (exit ${code})`); reject(err); this.fail(err); }
      });
    });
  }

  private send(m: ToWorker, transfer: ArrayBuffer[] = []) {
    this.worker!.postMessage(m, transfer);
  }

  exec(from: EmbeddedSocket, data: Buffer) {
    if (this.owners.length === 0) this.oldestSince = performance.now();
    this.owners.push(from);
    const copy = new Uint8Array(data); // its own buffer, transferred
    this.send({ type: 'exec', data: copy }, [copy.buffer]);
  }

  private out(data: Uint8Array) {
    const owner = this.owners.shift();
    this.oldestSince = performance.now();
    owner?.deliver(data);
  }

  release(from: EmbeddedSocket) {
    if (this.current === from) this.current = null;
    if (this.worker && this.ready) this.send({ type: 'reset' });
  }

  connect(): EmbeddedSocket {
    if (this.failure) throw this.failure;
    this.current?.destroy(); // postgres.js reconnecting; there is only one session
    const socket = new EmbeddedSocket(this);
    this.current = socket;
    return socket;
  }

  /** The oldest exec ran past the bound: answer it, terminate the worker, reopen, carry on. */
  private async cutOff() {
    const worker = this.worker!;
    const owner = this.owners[0]!;
    this.ready = false;
    this.worker = null;
    this.owners = [];
    this.restarts++;
    owner.cutOff();
    if (this.current && this.current !== owner) this.current.cutOff();
    this.reopening = (async () => {
      await worker.terminate();
      try {
        await this.open();
        this.current?.reopened();
      } catch (err) {
        this.fail(err as Error);
      }
    })();
    await this.reopening;
  }

  private fail(err: Error) {
    this.failure ??= err;
    this.ready = false;
    const socket = this.current;
    if (socket) { socket.emit('error', err); socket.destroy(); }
  }

  dump(): Promise<Blob> {
    return new Promise((resolve) => { this.waiting.dump = resolve; this.send({ type: 'dump' }); });
  }

  async close() {
    clearInterval(this.watchdog);
    await this.reopening;
    this.closing = true;
    this.current?.destroy();
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => { this.waiting.closed = resolve; this.send({ type: 'close' }); worker.once('exit', () => resolve()); });
    await worker.terminate();
  }
}
