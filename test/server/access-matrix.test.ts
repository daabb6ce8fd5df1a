import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { SCOPES as CLI_SCOPES } from '../../cli/auth/oauth.js';
import { hasScope, toolName, type Access, type Contract } from '../../contracts/define.js';
import { contracts } from '../../contracts/index.js';
import { hashToken } from '../../server/auth/hash.js';
import { keyFor, principalWithKey } from '../support/principals.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { mintAccessToken } from '../support/tokens.js';

// Every operation × every kind of credential, generated from the registry: each call is allowed or
// refused exactly as the operation's contract (`access`) says, and a refused call changes nothing.
// A new operation joins the matrix by being declared; nothing here names an operation.

interface Credential {
  label: string;
  /** How it authenticates a request. */
  headers: Record<string, string>;
  /** What the contract's access rules look at. */
  credential: 'session' | 'oauth' | 'apiKey';
  kind: 'user' | 'service';
  restricted: boolean;
  scopes: string[] | null;
  /** An admin of the matrix space. */
  admin: boolean;
  /** A third-party application's token: bound to /mcp, so it reaches only the MCP tools. */
  mcpOnly: boolean;
}


/** The contract, read independently of the dispatcher: which reason refuses this credential, if any. */
function expectedRefusal(c: Contract, cred: Credential): string | null {
  const a: Access = c.access;
  if (cred.mcpOnly && !c.tool) return 'TOKEN_INVALID'; // its audience is /mcp; the RPC API refuses it
  if (!a.apiKeys && cred.credential === 'apiKey') return 'USER_REQUIRED';
  if (!a.serviceAccounts && cred.kind === 'service') return 'USER_REQUIRED';
  if (!a.restricted && cred.restricted) return 'KEY_RESTRICTED';
  if (cred.scopes && !hasScope(cred.scopes, a.scope)) return 'SCOPE_MISSING';
  if (a.space === 'admin' && !cred.admin) return 'SPACE_ADMIN_REQUIRED';
  return null;
}

type Schema = { type?: string | string[]; format?: string; pattern?: string; enum?: unknown[]; const?: unknown; properties?: Record<string, Schema>;
  required?: string[]; items?: Schema; minItems?: number; minimum?: number; anyOf?: Schema[]; default?: unknown; minLength?: number; maxLength?: number };

/** Values for properties whose meaning the schema's type alone does not give. */
const byName: Record<string, unknown> = { space: 'matrix', tree: '/shared/sub', path: '/shared/sub/note', from: '/shared/sub', to: '/shared/other', confirm: 'not-the-slug' };
const strings = ['matrix-sample', 'shared/sub', '/shared/sub', `inv.${'a'.repeat(43)}`, 'a'];

/** A small input for an operation: its required properties, or all of them if that alone is not valid. */
function sampleInput(c: Contract): unknown {
  const schema = z.toJSONSchema(c.input, { io: 'input', unrepresentable: 'any' }) as Schema;
  const minimal = sample(schema);
  return c.input.safeParse(minimal).success ? minimal : sample({ ...schema, required: Object.keys(schema.properties ?? {}) });
}

function sample(s: Schema, name?: string): unknown {
  if (name && name in byName) return byName[name];
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.anyOf) return sample(s.anyOf.find((x) => x.type !== 'null') ?? s.anyOf[0]!, name);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k) => [k, sample(s.properties?.[k] ?? {}, k)]));
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items ?? {}));
    case 'integer': case 'number':
      return Math.max(1, s.minimum ?? 1);
    case 'boolean':
      return false;
    case 'string': {
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'email') return 'someone@example.test';
      if (s.format === 'date-time') return new Date().toISOString();
      const re = s.pattern ? new RegExp(s.pattern) : null;
      return strings.find((v) => (!re || re.test(v)) && v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? Infinity)) ?? 'matrix-sample';
    }
    default:
      return 'matrix-sample';
  }
}

let s: TestServer;
const creds: Credential[] = [];

/** Everything an operation could change, as one fingerprint (volatile columns such as last use left out). */
async function fingerprint(): Promise<string> {
  const [row] = await s.services.sql<{ f: string }[]>`select md5(concat_ws('|',
    (select string_agg(concat_ws(',', id, space_id, tree, name, content, meta, temporal, version), ';' order by id) from core.memory),
    (select string_agg(concat_ws(',', id, slug, name), ';' order by id) from core.space),
    (select string_agg(concat_ws(',', space_id, principal_id, role), ';' order by space_id, principal_id) from core.space_member),
    (select string_agg(concat_ws(',', space_id, principal_id, tree_prefix, level), ';' order by space_id, principal_id, tree_prefix) from core.grant),
    (select string_agg(concat_ws(',', id, kind, name, owner_id), ';' order by id) from core.principal),
    (select string_agg(concat_ws(',', id, principal_id, name, restriction, expires_at), ';' order by id) from core.api_key),
    (select string_agg(concat_ws(',', id, space_id, role, tree_prefix, level, uses, revoked_at), ';' order by id) from core.invitation),
    (select string_agg(concat_ws(',', principal_id, client_id, space_id, tree, level), ';' order by principal_id, client_id) from core.connector_space),
    (select string_agg(concat_ws(',', id, client_id, user_id, scopes), ';' order by id) from auth.oauth_consent),
    (select count(*) from auth.oauth_access_token where revoked is not null)
  )) as f`;
  return row!.f;
}

/** A call's outcome; `byAccess` when the contract's access rules (or authentication) refused it. */
interface Answer { reason: string | null; code: string | null; byAccess: boolean }

async function callRpc(c: Contract, cred: Credential, params: unknown): Promise<Answer> {
  const res = await s.post(`/api/v1/${c.endpoint}/rpc`, JSON.stringify({ jsonrpc: '2.0', id: 1, method: c.name, params }), cred.headers);
  const body = (await res.json()) as { error?: { data?: { code: string; reason: string; needs?: string } } };
  const data = body.error?.data;
  return { reason: data?.reason ?? null, code: data?.code ?? null, byAccess: !!data?.needs || data?.code === 'UNAUTHORIZED' };
}

async function callTool(c: Contract, cred: Credential, params: unknown): Promise<Answer> {
  const res = await fetch(`${s.url}/mcp`, {
    method: 'POST',
    headers: { ...cred.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: toolName(c.name), arguments: params } }),
  });
  const body = (await res.json()) as { error?: { data?: { code: string; reason: string; needs?: string } }; result?: { isError?: boolean; content: { text: string }[] } };
  const data = body.error?.data;
  if (data) return { reason: data.reason ?? null, code: data.code ?? null, byAccess: !!data.needs || data.code === 'UNAUTHORIZED' };
  // A tool's own failure is a result the agent reads: "CODE: message".
  return { reason: null, code: body.result?.isError ? body.result.content[0]!.text.split(':')[0]! : null, byAccess: false };
}

before(async () => {
  s = await startTestServer();
  const sql = s.services.sql;
  const owner = s.bootstrap!.principalId;
  await s.call('space.create', { slug: 'matrix' });
  await s.call('memory.batchCreate', { space: 'matrix', memories: [
    { tree: '/shared/sub', name: 'note', content: 'a note in the shared subtree' },
    { tree: '/private', content: 'not for the restricted key' },
  ] });
  const user = (label: string, headers: Record<string, string>, more: Partial<Credential> = {}): Credential => ({
    label, headers, credential: 'apiKey', kind: 'user', restricted: false, scopes: null, admin: true, mcpOnly: false, ...more,
  });

  // The owner's browser session (one-time owner link), with the Origin a page sends.
  const signIn = await fetch((await s.auth.ownerSignInLink())!, { redirect: 'manual' });
  const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith('me.session_token='))!.split(';')[0]!;
  creds.push(user('owner cookie', { cookie, origin: s.url }, { credential: 'session' }));

  // The `me` CLI's tokens (opaque, client me-cli, stored hashed as the authorization server stores them).
  const cliToken = async (scopes: string[]) => {
    const token = randomBytes(24).toString('base64url');
    await sql`insert into auth.oauth_access_token (token, client_id, user_id, scopes, expires_at, created_at)
      values (${hashToken(token)}, 'me-cli', ${owner}, ${sql.json(scopes)}, now() + interval '1 hour', now())`;
    return { authorization: `Bearer ${token}` };
  };
  creds.push(user('me CLI token', await cliToken(CLI_SCOPES.split(' ')), { credential: 'oauth', scopes: CLI_SCOPES.split(' ') }));
  const memoryOnly = ['offline_access', 'memory:read', 'memory:write'];
  creds.push(user('me CLI token without space:admin', await cliToken(memoryOnly), { credential: 'oauth', scopes: memoryOnly }));

  // A third-party application, registered through DCR and approved by the owner; its tokens are /mcp JWTs.
  const reg = await fetch(`${s.url}/api/v1/auth/oauth2/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Matrix App', redirect_uris: ['http://127.0.0.1:9/callback'], token_endpoint_auth_method: 'none' }),
  });
  assert.equal(reg.status, 201, await reg.clone().text());
  const app = ((await reg.json()) as { client_id: string }).client_id;
  await sql`insert into auth.oauth_consent (client_id, user_id, scopes, created_at, updated_at)
    values (${app}, ${owner}, ${sql.json(['memory:read', 'memory:write'])}, now(), now())`;
  for (const scope of ['memory:read', 'memory:read memory:write']) {
    const token = await mintAccessToken(s, { sub: owner, aud: `${s.url}/mcp`, scope, client_id: app, azp: app });
    creds.push(user(`third-party app (${scope})`, { authorization: `Bearer ${token}` }, { credential: 'oauth', scopes: scope.split(' '), mcpOnly: true }));
  }

  // API keys: the owner's own, one restricted to reading /shared/sub, a service account's with a
  // read grant, and a plain member's (not an admin).
  creds.push(user('unrestricted personal key', { authorization: `Bearer ${s.key}` }));
  const restricted = await keyFor(s, owner, { restriction: [{ space: null, tree: 'shared.sub', level: 1 }] });
  creds.push(user('restricted read-only personal key', { authorization: `Bearer ${restricted}` }, { restricted: true }));
  const agent = await principalWithKey(s, 'matrix-agent', { kind: 'service' });
  await s.call('grant.set', { space: 'matrix', principal: agent.id, tree: '/', level: 'read' });
  creds.push(user('service-account key (read grant)', { authorization: `Bearer ${agent.key}` }, { kind: 'service', admin: false }));
  const bob = await principalWithKey(s, 'matrix-bob');
  await s.call('grant.set', { space: 'matrix', principal: bob.id, tree: '/shared', level: 'write' });
  creds.push(user("a member's personal key (not an admin)", { authorization: `Bearer ${bob.key}` }, { admin: false }));
});
after(async () => { await s?.close(); });

describe('the access matrix, generated from the registry', () => {
  it('covers every operation and every kind of credential', () => {
    assert.ok(contracts.length >= 40);
    assert.equal(creds.length, 9);
  });

  for (const c of contracts) {
    it(`${c.name}: allowed or refused exactly as its contract says`, async () => {
      const params = sampleInput(c);
      const problems: string[] = [];
      for (const cred of creds) {
        const refusal = expectedRefusal(c, cred);
        const viaMcp = cred.mcpOnly && c.tool;
        const before = refusal ? await fingerprint() : '';
        const answer = viaMcp ? await callTool(c, cred, params) : await callRpc(c, cred, params);
        if (refusal) {
          if (answer.reason !== refusal || !answer.byAccess) problems.push(`${cred.label}: expected ${refusal}, got ${answer.reason ?? answer.code ?? 'success'}`);
          else if ((await fingerprint()) !== before) problems.push(`${cred.label}: refused, yet something changed`);
        } else if (answer.byAccess) {
          problems.push(`${cred.label}: expected to pass the access check, refused with ${answer.reason}`);
        } else if (answer.code === 'INTERNAL') {
          problems.push(`${cred.label}: INTERNAL`);
        }
      }
      assert.deepEqual(problems, [], `params ${JSON.stringify(params)}`);
    });
  }
});

describe('the escalation found by trying', () => {
  it('a read-only restricted key cannot make anyone an admin, create spaces or invite', async () => {
    const owner = s.bootstrap!.principalId;
    const key = await keyFor(s, owner, { restriction: [{ space: null, tree: 'shared.sub', level: 1 }] });
    const agent = await principalWithKey(s, 'escalating-agent', { kind: 'service' });
    await s.call('grant.set', { space: 'matrix', principal: agent.id, tree: '/', level: 'read' });
    const before = await fingerprint();
    for (const [method, params] of [
      ['member.setRole', { space: 'matrix', principal: agent.id, role: 'admin' }],
      ['space.create', { slug: 'escalated' }],
      ['invite.create', { space: 'matrix', tree: '/', level: 'owner', role: 'admin' }],
      ['grant.set', { space: 'matrix', principal: agent.id, tree: '/', level: 'owner' }],
    ] as const) {
      const err = await s.fail(method, params, { key });
      assert.equal(err.data?.code, 'FORBIDDEN', method);
      assert.equal(err.data?.reason, 'KEY_RESTRICTED', method);
      assert.match(err.message, /restricted/, 'the refusal says the restriction is why');
    }
    // A service account is never an admin, and its key administers nothing.
    const promote = await s.fail('member.setRole', { space: 'matrix', principal: agent.id, role: 'admin' });
    assert.equal(promote.data?.code, 'VALIDATION_ERROR');
    const demote = await s.fail('member.setRole', { space: 'matrix', principal: owner, role: 'member' }, { key: agent.key });
    assert.equal(demote.data?.reason, 'USER_REQUIRED');
    assert.equal(await fingerprint(), before);
  });
});

describe('refusals say why', () => {
  it('a restricted key writing outside its restriction is told the restriction is why, not to check grants', async () => {
    const owner = s.bootstrap!.principalId;
    const key = await keyFor(s, owner, { restriction: [{ space: null, tree: 'shared.sub', level: 2 }] });
    const outside = await s.fail('memory.create', { space: 'matrix', tree: '/private', content: 'x' }, { key });
    assert.equal(outside.data?.reason, 'KEY_RESTRICTED');
    assert.match(outside.message, /restricted to \/shared\/sub \(write\)/);
    assert.ok(await s.call('memory.create', { space: 'matrix', tree: '/shared/sub', content: 'inside' }, { key }));
    const bob = await principalWithKey(s, 'reader-bob');
    await s.call('grant.set', { space: 'matrix', principal: bob.id, tree: '/shared', level: 'read' });
    const noGrant = await s.fail('memory.create', { space: 'matrix', tree: '/shared', content: 'x' }, { key: bob.key });
    assert.equal(noGrant.data?.reason, 'GRANT_MISSING');
  });
});
