import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import postgres from 'postgres';

// postgres.js 3.4.9 declared `static get [Symbol.species]()` on its Query class (a Promise
// subclass). With that getter V8 constructs every Query on a slow path: ~2.5-5 µs each instead of
// ~0.1 µs, and a memory read builds five (fragments are Queries too): ~20 µs of a ~300 µs request.
// patches/postgres+3.4.9.patch makes it a data property; this checks the patch is in force and
// that a query's then() still returns a plain Promise (what the getter was for).
describe('postgres.js Query construction (patched)', () => {
  const sql = postgres({ host: '127.0.0.1', port: 1, max: 1, onnotice: () => {} }); // never connects
  const Query = Object.getPrototypeOf(sql`select 1`).constructor as PromiseConstructor;

  it('Query[Symbol.species] is a data property (no getter), and it is Promise', () => {
    const own = Object.getOwnPropertyDescriptor(Query, Symbol.species);
    assert.ok(own, 'Query defines Symbol.species');
    assert.equal(own.get, undefined, 'a static getter makes V8 construct every Query on its slow path');
    assert.equal(own.value, Promise);
  });

  it('then() on a query that is never run still gives a plain Promise', async () => {
    const q = sql`select 1`;
    const chained = q.then(() => 1, () => 2);
    assert.equal(Object.getPrototypeOf(chained), Promise.prototype);
    assert.equal(await chained, 2); // the connection on port 1 is refused
    await sql.end({ timeout: 0 });
  });
});
