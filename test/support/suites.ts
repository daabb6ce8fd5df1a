// The suite runs twice in CI: on the embedded database, then on a server Postgres (TEST_DATABASE_URL).
// A file that never touches the database tests the same thing both times, so it runs in the
// embedded suite only: `describe(name, { skip: databaseIndependent }, …)`.
export const databaseIndependent: string | false = process.env.TEST_DATABASE_URL
  ? 'does not depend on the database: runs in the embedded suite'
  : false;
