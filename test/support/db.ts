import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../db/connect.js';
import { incremental, migrate } from '../../db/migrate.js';
import { packageRoot } from '../../db/package-root.js';

/** Hash of everything that shapes a fresh schema: a template is reused while this is unchanged. */
function schemaHash() {
  const h = createHash('sha256');
  for (const folder of ['prelude', 'incremental', 'idempotent']) {
    const dir = join(packageRoot, 'db', 'migrations', folder);
    for (const f of readdir(dir)) h.update(f).update(readFileSync(join(dir, f)));
  }
  h.update(String(incremental.length));
  return h.digest('hex').slice(0, 12);
}
const readdir = (d: string) => (existsSync(d) ? readdirSync(d).sort() : []);

/**
 * A fresh, migrated database for one test file. On a server (TEST_DATABASE_URL) a new database is
 * created from a migrated template; otherwise an embedded PGlite is loaded from a migrated,
 * dumped template (opening a dump is ~4x faster than migrating).
 */
export async function freshDatabase(opts: { statementTimeoutMs?: number } = {}): Promise<Database> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  return serverUrl ? freshServerDatabase(serverUrl, opts.statementTimeoutMs) : freshEmbeddedDatabase(opts.statementTimeoutMs);
}

async function freshEmbeddedDatabase(statementTimeoutMs?: number): Promise<Database> {
  const dir = join(packageRoot, 'node_modules', '.cache', 'memory-engine-test');
  const file = join(dir, `template-${schemaHash()}.tar.gz`);
  if (!existsSync(file)) {
    const db = await openDatabase({});
    await migrate(db.sql);
    await db.sql.end();
    const blob = await db.embedded!.dumpDataDir();
    await db.embedded!.close();
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    renameSync(tmp, file);
  }
  const loadDataDir = new Blob([readFileSync(file)]);
  if (!statementTimeoutMs) return openDatabase({ loadDataDir });
  // The embedded database keeps its time bound by reopening its files: it needs a data dir.
  const dataDir = mkdtempSync(join(tmpdir(), 'me-test-pg-'));
  const db = await openDatabase({ loadDataDir, dataDir: join(dataDir, 'pg'), statementTimeoutMs });
  return { ...db, async close() { await db.close(); rmSync(dataDir, { recursive: true, force: true }); } };
}

async function freshServerDatabase(serverUrl: string, statementTimeoutMs?: number): Promise<Database> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const template = `me_template_${schemaHash()}`;
  const name = `me_test_${randomBytes(6).toString('hex')}`;
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${template}`;
    if (!exists) {
      await admin.unsafe(`create database ${template}`);
      const t = postgres(withDatabase(serverUrl, template), { max: 1, onnotice: () => {} });
      await migrate(t);
      await t.end();
    }
    await admin.unsafe(`create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const db = await openDatabase({ url, max: 8, statementTimeoutMs });
  return {
    ...db,
    async close() {
      await db.close();
      const a = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await a.end();
    },
  };
}

function withDatabase(url: string, db: string) {
  const u = new URL(url);
  u.pathname = '/' + db;
  return u.toString();
}

