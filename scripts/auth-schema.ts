// Prints the DDL better-auth generates for our configuration (models mapped by server/auth/tables.ts),
// for the better-auth upgrade checklist in AUTH_DESIGN.md: diff it against the auth migrations.
//   node --import tsx scripts/auth-schema.ts postgres://postgres@127.0.0.1:5433/postgres
// It creates a scratch database next to the given one, and drops it afterwards.
import { getMigrations } from 'better-auth/db/migration';
import { PostgresDialect } from 'kysely';
import pg from 'pg';
import postgres from 'postgres';
import { createBetterAuth } from '../server/auth/better-auth.js';
import { OwnerLinks } from '../server/auth/owner-link.js';

const url = process.argv[2] ?? process.env.TEST_DATABASE_URL;
if (!url) {
  console.error('usage: node --import tsx scripts/auth-schema.ts <server Postgres URL>');
  process.exit(2);
}
const scratch = `me_auth_schema_${process.pid}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`create database ${scratch}`);
const target = new URL(url);
target.pathname = `/${scratch}`;
const pool = new pg.Pool({ connectionString: target.toString(), max: 2 });
pool.on('error', () => {}); // the scratch database is dropped under it at the end
const sql = postgres(target.toString(), { max: 1, onnotice: () => {} }); // owner links and rate limits (unused here)
try {
  await pool.query('create schema auth');
  const auth = createBetterAuth({
    origin: 'http://127.0.0.1:3210',
    secret: 'auth-schema-script-not-a-real-secret-0123456789',
    dialect: new PostgresDialect({ pool }),
    transactions: true,
    // Every optional plugin on, so every model appears.
    config: { accessTokenTtl: 900, refreshTokenTtl: 86_400, rateLimit: true, oidc: { issuer: 'http://127.0.0.1:1', clientId: 'x', clientSecret: 'y', name: 'OIDC' } },
    ownerLinks: new OwnerLinks(sql),
    sql,
    log: { warn: () => {}, error: () => {} },
  });
  const plan = await getMigrations(auth.options);
  console.log(await plan.compileMigrations());
} finally {
  await sql.end();
  await pool.end();
  await admin.query(`drop database if exists ${scratch} with (force)`);
  await admin.end();
}
