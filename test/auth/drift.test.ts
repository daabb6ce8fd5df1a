import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getAuthTables } from 'better-auth/db';
import { authModels, expectedColumns, type AuthModel } from '../../server/auth/tables.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The drift guard. better-auth owns these tables' shape: a library upgrade that adds, drops or
// renames a field must turn this red, so the upgrade gets a new migration (AUTH_DESIGN.md →
// "Upgrading better-auth"). Three things must agree: the frozen lists below, the columns in the
// database (our migrations), and the fields better-auth's own schema declares for our config.
const frozen: Record<AuthModel, string> = {
  user: 'created_at email email_verified id image name updated_at',
  session: 'created_at expires_at id ip_address token updated_at user_agent user_id',
  account: 'access_token access_token_expires_at account_id created_at id id_token password provider_id refresh_token refresh_token_expires_at scope updated_at user_id',
  verification: 'created_at expires_at id identifier updated_at value',
  jwks: 'alg created_at crv expires_at id private_key public_key',
  oauthClient: 'application_type backchannel_logout_session_required backchannel_logout_uri client_credentials_scopes client_discovery_id client_id client_secret contacts created_at disabled dpop_bound_access_tokens enable_end_session grant_types icon id jwks jwks_uri metadata name policy post_logout_redirect_uris redirect_uris reference_id require_pkce response_types scopes skip_consent software_id software_statement software_version subject_type token_endpoint_auth_method tos updated_at uri user_id',
  oauthResource: 'access_token_ttl allowed_scopes created_at custom_claims disabled dpop_bound_access_tokens_required id identifier metadata name policy_version refresh_token_ttl signing_algorithm signing_key_id updated_at',
  oauthClientResource: 'client_id created_at id metadata resource_id',
  oauthRefreshToken: 'auth_time authorization_code_id client_id confirmation created_at expires_at id reference_id requested_user_info_claims resources revoked rotated_at rotation_replay_expires_at rotation_replay_response scopes session_id token user_id',
  oauthAccessToken: 'authorization_code_id client_id confirmation created_at expires_at id reference_id refresh_id requested_user_info_claims resources revoked scopes session_id token user_id',
  oauthConsent: 'client_id created_at id reference_id requested_user_info_claims resources scopes updated_at user_id',
  oauthClientAssertion: 'expires_at id',
  deviceCode: 'client_id device_code expires_at id last_polled_at oauth_client_id polling_interval resources scope status user_code user_id',
};

let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s?.close(); });

describe('drift guard: better-auth tables', () => {
  it('every better-auth table has exactly the frozen columns in the database', async () => {
    const rows = await s.services.sql<{ table_name: string; columns: string }[]>`
      select table_name, string_agg(column_name, ' ' order by column_name) as columns
      from information_schema.columns where table_schema = 'auth' group by table_name`;
    const actual = new Map(rows.map((r) => [r.table_name, r.columns]));
    for (const model of Object.keys(authModels) as AuthModel[]) {
      const table = authModels[model][0];
      assert.equal(actual.get(table), frozen[model], `auth.${table} columns changed: write a migration and update the frozen list`);
      assert.equal(expectedColumns(model).join(' '), frozen[model], `the field map for ${model} (server/auth/tables.ts) disagrees with the frozen list`);
    }
    assert.deepEqual([...actual.keys()].sort(), Object.values(authModels).map(([t]) => t).sort(), 'a table in the auth schema is not mapped (or gone)');
  });

  it("better-auth's own schema for our configuration declares exactly the mapped fields", () => {
    const tables = getAuthTables(s.auth.auth.options);
    const declared = Object.keys(tables).filter((m) => m !== 'rateLimit').sort();
    assert.deepEqual(declared, Object.keys(authModels).sort(), 'better-auth declares a model we do not map (or dropped one)');
    for (const [model, table] of Object.entries(tables)) {
      if (model === 'rateLimit') continue;
      const mine = authModels[model as AuthModel];
      assert.equal(table.modelName, mine[0], `${model} is not mapped onto auth.${mine[0]}`);
      const columns = ['id', ...Object.entries(table.fields).map(([key, f]) => f.fieldName ?? key)].sort().join(' ');
      assert.equal(columns, frozen[model as AuthModel], `better-auth's ${model} fields changed: new migration + field map (AUTH_DESIGN.md)`);
    }
  });
});
