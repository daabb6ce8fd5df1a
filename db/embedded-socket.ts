import { EventEmitter } from 'node:events';

// The client end of the embedded database's one session, handed to postgres.js as its `socket`.
// It reads the Postgres wire protocol just enough to (1) send the worker one request group at a
// time (messages up to a Sync or a simple Query), so a request group that runs past the time
// bound is exactly the one in the worker when it is terminated, (2) answer that group with
// Postgres' own statement-timeout error, and (3) carry the session over to the reopened database:
// replay the startup and the prepared statements, and keep a transaction that was cut off failed
// until the client rolls it back (nothing of it is committed; statements sent after it must not
// run outside it). Everything else passes through untouched.

/** What the socket needs of the database (db/embedded.ts). */
export interface SessionHost {
  /** False while the database reopens after a query ran past its bound. */
  readonly ready: boolean;
  /** Sends complete frontend messages to the worker; its output comes back through deliver(). */
  exec(from: EmbeddedSocket, data: Buffer): void;
  /** The client left: end its transaction. */
  release(from: EmbeddedSocket): void;
}

const T = (c: string) => c.charCodeAt(0);
const STARTUP = -1;

export class EmbeddedSocket extends EventEmitter {
  readyState: 'open' | 'closed' = 'open';
  private incoming = Buffer.alloc(0);
  private backend = Buffer.alloc(0);
  private pending: { type: number; bytes: Buffer }[] = [];
  private startup: Buffer | null = null;
  /** A group is in the worker; `syncSent` when its end (Sync/Query) went too. */
  private inFlight = false;
  private syncSent = false;
  private txStatus = 'I';
  /** Named statements as prepared (their Parse messages), replayed on a reopened database. */
  private statements = new Map<string, Buffer>();
  private unnamedText = '';
  /** After a cut-off transaction: everything but a rollback fails, as in Postgres. */
  private failedTx = false;
  private failingGroup: 'no' | 'failing' | 'error-sent' | 'forward' = 'no';
  /** The group was cut before its Sync: drop the client's messages up to it, then answer it. */
  private awaitingSync: string | null = null;
  /** Output to hide from the client (the replayed startup and statements): RFQs left to swallow. */
  private swallow = 0;
  /** statement_timeout = 0 for this transaction / this session, or a maintenance command. */
  private unboundedTx = false;
  private unboundedSession = false;
  unboundedGroup = false;

  constructor(private host: SessionHost) { super(); }

  get unbounded() { return this.unboundedGroup || this.unboundedTx || this.unboundedSession; }

  // --- the net.Socket surface postgres.js uses ---
  write(chunk: Uint8Array | string, cb?: (err?: Error) => void): boolean {
    if (this.readyState === 'closed') { cb?.(new Error('the embedded database connection is closed')); return false; }
    this.incoming = Buffer.concat([this.incoming, Buffer.from(chunk)]);
    this.parseIncoming();
    this.pump();
    if (cb) queueMicrotask(() => cb());
    return true;
  }
  end(chunk?: Uint8Array) { if (chunk) this.write(chunk); this.destroy(); return this; }
  destroy() {
    if (this.readyState === 'closed') return this;
    this.readyState = 'closed';
    this.host.release(this);
    setImmediate(() => this.emit('close', false));
    return this;
  }
  setKeepAlive() { return this; }
  setNoDelay() { return this; }
  pause() { return this; }
  resume() { return this; }

  // --- from the host ---
  /** Backend bytes for this connection's request group. */
  deliver(data: Uint8Array) {
    if (this.readyState === 'closed') return;
    this.backend = this.backend.length ? Buffer.concat([this.backend, data]) : Buffer.from(data);
    let at = 0;
    const out: Buffer[] = [];
    while (this.backend.length - at >= 5) {
      const len = 1 + this.backend.readInt32BE(at + 1);
      if (this.backend.length - at < len) break;
      const msg = this.backend.subarray(at, at + len);
      at += len;
      if (msg[0] === T('Z')) {
        this.txStatus = String.fromCharCode(msg[5]!);
        if (this.txStatus === 'I') this.unboundedTx = false;
        if (this.swallow > 0) { this.swallow--; continue; }
        this.inFlight = this.syncSent = false;
        this.unboundedGroup = false;
      }
      if (this.swallow === 0) out.push(msg);
    }
    this.backend = this.backend.subarray(at);
    if (out.length) this.push(Buffer.concat(out));
    this.pump();
  }

  /** The worker was terminated while this connection's group ran past its bound. */
  cutOff() {
    if (this.readyState === 'closed') return;
    const status = this.txStatus === 'I' ? 'I' : 'E';
    this.failedTx = status === 'E';
    this.unboundedTx = this.unboundedSession = this.unboundedGroup = false;
    this.backend = Buffer.alloc(0);
    if (this.inFlight) {
      const out = [errorResponse('57014', 'canceling statement due to statement timeout')];
      if (this.syncSent) out.push(readyForQuery(status));
      else this.awaitingSync = status;
      this.push(Buffer.concat(out));
    }
    this.inFlight = this.syncSent = false;
    this.txStatus = 'I';
    this.swallow = 0;
  }

  /** The database is open again: bring the session back (startup, prepared statements). */
  reopened() {
    if (this.readyState === 'closed' || !this.startup) return;
    const replay = [this.startup, ...[...this.statements.values()].flatMap((p) => [p, SYNC])];
    this.swallow = 1 + this.statements.size;
    this.host.exec(this, Buffer.concat(replay));
    // The client is not told: its next group waits in `pending` until the replay is answered.
  }

  /** Output to the client, in order and never from inside its own write() call. */
  private outbox: Buffer[] = [];
  private push(data: Buffer) {
    this.outbox.push(data);
    if (this.outbox.length === 1) {
      queueMicrotask(() => {
        const all = Buffer.concat(this.outbox);
        this.outbox = [];
        if (this.readyState === 'open') this.emit('data', all);
      });
    }
  }

  // --- the protocol ---
  private parseIncoming() {
    let at = 0;
    const buf = this.incoming;
    for (;;) {
      if (!this.startup && this.pending.every((m) => m.type !== STARTUP)) {
        if (buf.length - at < 4) break;
        const len = buf.readInt32BE(at);
        if (buf.length - at < len) break;
        this.pending.push({ type: STARTUP, bytes: buf.subarray(at, at + len) });
        at += len;
        continue;
      }
      if (buf.length - at < 5) break;
      const len = 1 + buf.readInt32BE(at + 1);
      if (buf.length - at < len) break;
      this.pending.push({ type: buf[at]!, bytes: buf.subarray(at, at + len) });
      at += len;
    }
    this.incoming = Buffer.from(buf.subarray(at));
  }

  private pump() {
    if (!this.host.ready || this.swallow > 0 || this.readyState === 'closed') return;
    const batch: Buffer[] = [];
    while (this.pending.length && !(this.inFlight && this.syncSent)) {
      const m = this.pending.shift()!;
      if (m.type === T('X')) { this.destroy(); return; } // Terminate: the session itself lives on
      if (this.awaitingSync !== null) { // the rest of a group that was cut off
        if (m.type === T('S')) { this.push(readyForQuery(this.awaitingSync)); this.awaitingSync = null; }
        continue;
      }
      if (this.failedTx && !this.fail(m)) continue;
      if (m.type === STARTUP) this.startup = Buffer.from(m.bytes);
      this.track(m);
      batch.push(m.bytes);
      this.inFlight = true;
      if (m.type === T('S') || m.type === T('Q') || m.type === STARTUP) this.syncSent = true;
    }
    if (batch.length) this.host.exec(this, Buffer.concat(batch));
  }

  /** In a cut-off transaction: true to forward the message (a rollback), else it is answered here. */
  private fail(m: { type: number; bytes: Buffer }): boolean {
    const end = m.type === T('S') || m.type === T('Q');
    if (this.failingGroup === 'no') { // the first message of a group decides
      const text = this.textOf(m);
      this.failingGroup = text !== undefined && /^\s*(rollback|abort)\b(?!\s+to\b)/i.test(text) ? 'forward' : 'failing';
    }
    if (this.failingGroup === 'forward') {
      if (end) { this.failingGroup = 'no'; this.failedTx = false; }
      return true;
    }
    // Answered as Postgres would: one error (at a Flush or the end), then ReadyForQuery 'E' at the end.
    if (this.failingGroup === 'failing' && (m.type === T('H') || end)) {
      this.push(errorResponse('25P02', 'current transaction is aborted, commands ignored until end of transaction block'));
      this.failingGroup = 'error-sent';
    }
    if (end) { this.push(readyForQuery('E')); this.failingGroup = 'no'; }
    return false;
  }

  /** The SQL text a message runs, when it names one (Parse, Query, or Bind of a known statement). */
  private textOf(m: { type: number; bytes: Buffer }): string | undefined {
    const b = m.bytes;
    if (m.type === T('Q')) return cstr(b, 5)[0];
    if (m.type === T('P')) return cstr(b, cstr(b, 5)[1])[0];
    if (m.type === T('B')) {
      const [, afterPortal] = cstr(b, 5);
      const name = cstr(b, afterPortal)[0];
      if (!name) return this.unnamedText;
      const parse = this.statements.get(name);
      return parse ? cstr(parse, cstr(parse, 5)[1])[0] : undefined;
    }
    return undefined;
  }

  /** Remembers prepared statements and what lifts the time bound. */
  private track(m: { type: number; bytes: Buffer }) {
    if (m.type === T('P')) {
      const [name, next] = cstr(m.bytes, 5);
      if (name) this.statements.set(name, Buffer.from(m.bytes));
      else this.unnamedText = cstr(m.bytes, next)[0];
    } else if (m.type === T('C') && m.bytes[5] === T('S')) {
      this.statements.delete(cstr(m.bytes, 6)[0]);
    }
    const text = this.textOf(m);
    if (text === undefined) return;
    if (/^\s*(vacuum|analyze|reindex|cluster|create\s+(unique\s+)?index)\b/i.test(text)) this.unboundedGroup = true;
    if (/set_config\(\s*'statement_timeout'\s*,\s*'0'\s*,\s*true\s*\)|^\s*set\s+local\s+statement_timeout\s*(=|to)\s*'?0'?\s*;?\s*$/i.test(text)) this.unboundedTx = true;
    if (/set_config\(\s*'statement_timeout'\s*,\s*'0'\s*,\s*false\s*\)|^\s*set\s+(session\s+)?statement_timeout\s*(=|to)\s*'?0'?\s*;?\s*$/i.test(text)) this.unboundedSession = true;
    if (/^\s*reset\s+(statement_timeout|all)\b|^\s*set\s+(session\s+)?statement_timeout\s*(=|to)\s*'?[1-9]/i.test(text)) this.unboundedSession = false;
  }
}

const SYNC = Buffer.from([T('S'), 0, 0, 0, 4]);

/** A NUL-terminated string at `at`, and the offset after it. */
function cstr(b: Buffer, at: number): [string, number] {
  const end = b.indexOf(0, at);
  return end < 0 ? ['', b.length] : [b.toString('utf8', at, end), end + 1];
}

function errorResponse(code: string, message: string) {
  const fields = Buffer.concat([
    ...[['S', 'ERROR'], ['V', 'ERROR'], ['C', code], ['M', message]].map(([k, v]) => Buffer.from(`${k}${v}\0`)),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head[0] = T('E');
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

function readyForQuery(status: string) {
  return Buffer.from([T('Z'), 0, 0, 0, 5, T(status)]);
}
