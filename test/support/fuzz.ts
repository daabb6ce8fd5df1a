// A property-based fuzzer over every operation in the registry: it derives a generator from each
// contract's input JSON Schema, mutates what it generates (wrong types, NULs, lone surrogates, huge
// numbers, deep nesting, random JSONPath, unknown and missing parameters), sends it over real
// JSON-RPC and checks the answer: a result or an error that is not INTERNAL, never a 5xx, and a
// failed call leaves every table as it was. Used by test/server/fuzz.test.ts (a few hundred cases)
// and `npm run fuzz -- --runs 20000`.
import fc from 'fast-check';
import { z } from 'zod';
import { contracts } from '../../contracts/index.js';
import type { Contract } from '../../contracts/define.js';
import { mintUser } from '../auth/users.js';
import { accepted, refused } from './jsonpath-examples.js';
import type { TestServer } from './server.js';

interface JsonSchema {
  type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema;
  enum?: unknown[]; const?: unknown; anyOf?: JsonSchema[]; format?: string; pattern?: string;
  minimum?: number; maximum?: number; minLength?: number; maxLength?: number; minItems?: number; maxItems?: number;
  additionalProperties?: unknown;
}

/** A value written into the body as raw JSON text (numbers JSON.stringify cannot write, deep nesting). */
class Raw { constructor(readonly json: string) {} }

/** JSON text for a generated value; Raw parts go in as they are. */
export function toJson(v: unknown): string {
  if (v instanceof Raw) return v.json;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

const ids = { memories: [] as string[], principals: [] as string[] };

const segment = fc.constantFrom('a', 'b', 'notes', 'x_1', 'deep', 'Z9');
const treeArb = fc.array(segment, { maxLength: 5 }).map((s) => '/' + s.join('/'));
const jsonPathArb = fc.oneof(
  fc.constantFrom(...accepted, ...refused.map(([w]) => w)),
  fc.array(fc.constantFrom('$', '@', '.a', '.b', '.*', '.**', '[*]', '[0]', '[last]', '[0 to 2]', ' == ', ' != ', ' > ', ' && ', ' || ', '!',
    '(', ')', ' ? (', '"x"', '1', '-1', '1e400', '$x', ' like_regex "a+"', ' starts with "a"', '.datetime("bogus %")', '.datetime()',
    '.size()', '.type()', '.double()', ' + ', ' * ', 'exists(', 'strict ', ' is unknown', '"\u0000"', 'true', 'null'), { minLength: 1, maxLength: 12 }).map((p) => p.join('')),
);

/** Values meant to break things, put in place of any parameter. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, 0, -1, 0.5, 2 ** 31, 2 ** 53, -(2 ** 53), 1099511627776, Number.MAX_VALUE, '', ' ', '/', '..', '\u0000',
    'a\u0000b', '\ud800', 'x\udc00', '😀', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59-14:00', '+275760-09-13T00:00:00Z', '00000000-0000-0000-0000-000000000000',
    [], {}, [[]], { a: { b: { c: 1 } } }, 'x'.repeat(5000)),
  fc.constantFrom(new Raw('1e400'), new Raw('-1e400'), new Raw('123456789012345678901234567890')),
  fc.integer({ min: 10, max: 5000 }).map((n) => new Raw('['.repeat(n) + ']'.repeat(n))),
  fc.integer({ min: 10, max: 5000 }).map((n) => new Raw('{"a":'.repeat(n) + '1' + '}'.repeat(n))),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.jsonValue({ maxDepth: 3 }),
  jsonPathArb,
);

/** A plausible value for a parameter, from its JSON Schema (and its name, for paths, ids and where). */
function valueFor(schema: JsonSchema, name: string): fc.Arbitrary<unknown> {
  if (name === 'where') return jsonPathArb;
  if (name === 'space') return fc.constantFrom('default', 'nowhere', 'a\u0000');
  if (name === 'id' || name === 'principal') {
    return fc.oneof(fc.uuid(), fc.constant(null).map(() => (name === 'id' ? ids.memories : ids.principals)[0] ?? '00000000-0000-4000-8000-000000000000'));
  }
  if (['tree', 'from', 'to'].includes(name)) return treeArb;
  if (name === 'path') return fc.tuple(treeArb, fc.constantFrom('n1', 'n2', 'todo')).map(([t, n]) => `${t}/${n}`);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => valueFor(s, name)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'date-time') return fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).map((s) => s.slice(0, schema.maxLength ?? 200));
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1000, -(2 ** 31)), max: Math.min(schema.maximum ?? 1000, 2 ** 31 - 1) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueFor(schema.items ?? {}, name), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    case 'object':
      if (!schema.properties) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
      return objectFor(schema);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectFor(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, valueFor(s, k)]));
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) }) as fc.Arbitrary<Record<string, unknown>>;
}

/** One mutation of a generated params object (or none). */
const mutation = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: hostile }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), key: fc.constantFrom('extra', '__proto__', 'constructor', 'space\u0000'), value: hostile }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('whole' as const), value: hostile }) },
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(params: Record<string, unknown>, m: Mutation, keys: string[]): unknown {
  const out = { ...params };
  const key = keys.length ? keys[(('pick' in m ? m.pick : 0) as number) % keys.length]! : 'extra';
  switch (m.kind) {
    case 'none': return out;
    case 'replace': out[key] = m.value; return out;
    case 'drop': delete out[key]; return out;
    case 'add': Object.defineProperty(out, m.key, { value: m.value, enumerable: true, configurable: true, writable: true }); return out;
    case 'whole': return m.value;
  }
}

/** One call: the operation's name (so a failure report stays readable) and its params. */
export interface FuzzCase { method: string; params: unknown }
const byName = new Map<string, Contract>(contracts.map((c) => [c.name, c as Contract]));

/** Cases over every contract in the registry. */
export function caseArbitrary(): fc.Arbitrary<FuzzCase> {
  return fc.oneof(...contracts.map((c) => {
    const schema = z.toJSONSchema(c.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const keys = Object.keys(schema.properties ?? {});
    return fc.tuple(objectFor(schema), mutation).map(([params, m]) => ({ method: c.name, params: mutate(params, m, keys) }));
  }));
}

/** Everything a write could touch, minus bookkeeping that successful reads also change. */
async function fingerprint(s: TestServer): Promise<string> {
  const tables = ['core.principal', 'core.space', 'core.space_member', 'core.grant', 'core.api_key', 'core.memory', 'core.memory_history',
    'core.invitation', 'core.invitation_response', 'core.connector_space'];
  const parts = await Promise.all(tables.map(async (t) => {
    const [row] = await s.services.sql.unsafe(`select md5(coalesce(string_agg(x, ',' order by x), '')) as h
      from (select (to_jsonb(t) - 'last_used_at' - 'fts')::text as x from ${t} t) r`);
    return `${t}=${row!.h}`;
  }));
  return parts.join(' ');
}

export interface FuzzWorld { s: TestServer; userToken: string }

/** Seeds data the cases can hit (memories with arrays in meta, a named memory) and a signed-in user. */
export async function prepare(s: TestServer): Promise<FuzzWorld> {
  const created = await s.call('memory.batchCreate', { memories: [
    { tree: '/a', name: 'n1', content: 'alpha notes', meta: { a: [1, 2, 3], b: [3, 4], tag: 'x', due: '2024-01-01', items: [{ done: false, size: 4 }] } },
    { tree: '/a/b', content: 'beta', meta: { priority: 3, name: 'abz' }, temporal: { start: '2024-01-01T00:00:00Z' } },
    { tree: '/notes', name: 'todo', content: 'todo list' },
  ] });
  ids.memories.push(...created.ids);
  ids.principals.push((await s.call('whoami')).id);
  const user = await mintUser(s.services.sql, { name: 'fuzz user', email: 'fuzz@example.com', verified: true });
  await s.call('whoami', {}, { key: user.token }); // provisions the user now, not inside a case
  return { s, userToken: user.token };
}

/** Sends one case and checks the answer; throws (for fast-check) when the property fails. */
export async function check(world: FuzzWorld, c: FuzzCase): Promise<void> {
  const { s } = world;
  const contract = byName.get(c.method)!;
  const token = contract.access.apiKeys ? s.key : world.userToken;
  const before = await fingerprint(s);
  const res = await s.post(`/api/v1/${contract.endpoint}/rpc`, `{"jsonrpc":"2.0","id":1,"method":${JSON.stringify(c.method)},"params":${toJson(c.params)}}`, {
    authorization: `Bearer ${token}`,
  });
  const text = await res.text();
  if (res.status >= 500) throw new Error(`${c.method}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { result?: unknown; error?: { message: string; data?: { code?: string } } };
  if (body.error?.data?.code === 'INTERNAL') throw new Error(`${c.method}: INTERNAL`);
  if (!body.error && body.result === undefined) throw new Error(`${c.method}: neither result nor error (HTTP ${res.status}): ${text.slice(0, 300)}`);
  if (body.error && (await fingerprint(s)) !== before) throw new Error(`${c.method} failed (${body.error.message}) but changed the database`);
}

/** Runs the property; fails with fast-check's report (seed, path, counterexample). */
export async function fuzz(world: FuzzWorld, opts: { runs: number; seed: number }) {
  const health = async () => {
    const r = await fetch(world.s.url + '/health');
    if (r.status !== 200) throw new Error(`/health answered ${r.status}`);
  };
  await fc.assert(fc.asyncProperty(caseArbitrary(), (c) => check(world, c)), {
    numRuns: opts.runs, seed: opts.seed, endOnFailure: true, timeout: 60_000,
  });
  await health();
}
