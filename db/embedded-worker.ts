import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { embeddedExtensions } from './embedded-extensions.js';

// PGlite in a worker thread: a query runs here, so the server's event loop (HTTP, /health, timers)
// never waits for it. The main thread (db/embedded.ts) sends frontend protocol messages and gets
// the backend's bytes back; it can terminate this thread when a query runs past its time bound.

export type ToWorker =
  | { type: 'exec'; data: Uint8Array } // complete frontend messages, executed in order
  | { type: 'reset' } // the client connection closed: end its transaction, as a backend would
  | { type: 'dump' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'out'; data: Uint8Array } // all output of one exec (possibly empty)
  | { type: 'dump'; data: ArrayBuffer }
  | { type: 'closed' };

const { dataDir, loadDataDir } = workerData as { dataDir?: string; loadDataDir?: ArrayBuffer };
const port = parentPort!;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

let db: PGlite;
try {
  db = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(loadDataDir ? { loadDataDir: new Blob([loadDataDir]) } : {}),
    extensions: embeddedExtensions,
    // PGlite's default max_wal_size (1 GB) lets each checkpoint keep old WAL for reuse: ~130 MB
    // beside 108 MB of tables in the disk bench. These bound the recycled WAL at 64 MB.
    startParams: [...(PGlite as unknown as { defaultStartParams: string[] }).defaultStartParams, '-c', 'max_wal_size=64MB', '-c', 'min_wal_size=32MB'],
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'failed', message: (err as Error).message });
  process.exit(1);
}

/** Splits a buffer of complete frontend messages (the first may be a startup message: no type byte). */
function* messages(data: Uint8Array) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at < data.length;) {
    // A startup message starts with its length and the protocol version 3.0 (196608).
    const startup = data.length - at >= 8 && view.getInt32(at + 4) === 196608 && data[at] === 0;
    const len = startup ? view.getInt32(at) : 1 + view.getInt32(at + 1);
    yield data.subarray(at, at + len);
    at += len;
  }
}

// One message at a time, in order: a dump or a reset must not run in the middle of an exec.
let queue = Promise.resolve();
port.on('message', (m: ToWorker) => {
  queue = queue.then(() => handle(m)).catch((err) => {
    post({ type: 'failed', message: (err as Error).message });
    process.exit(1);
  });
});

async function handle(m: ToWorker) {
  if (m.type === 'exec') {
    const chunks: Uint8Array[] = [];
    for (const message of messages(m.data)) {
      await db.execProtocolRawStream(message, { onRawData: (c) => { chunks.push(c.slice()); } });
    }
    const out = Buffer.concat(chunks);
    const data = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    post({ type: 'out', data }, out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? [out.buffer as ArrayBuffer] : []);
  } else if (m.type === 'reset') {
    if (db.isInTransaction()) await db.exec('rollback');
  } else if (m.type === 'dump') {
    const blob = await db.dumpDataDir('gzip');
    const data = await blob.arrayBuffer();
    post({ type: 'dump', data }, [data]);
  } else if (m.type === 'close') {
    await db.close();
    post({ type: 'closed' });
    port.close();
  }
}
