// better-auth's models mapped onto our snake_case tables in the `auth` schema. better-auth keeps
// its camelCase field names in code; `modelName` + `fields` rename them in SQL. A field missing
// here would be queried under its camelCase name and fail: the drift-guard test
// (test/auth/drift.test.ts) compares this map, better-auth's own schema and the database.

/** camelCase → snake_case for every field whose name has an upper-case letter. */
function snake(fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  // requirePKCE → require_pkce, dpopBoundAccessTokens → dpop_bound_access_tokens
  for (const f of fields) if (/[A-Z]/.test(f)) out[f] = f.replace(/([a-z0-9])([A-Z]+)/g, '$1_$2').toLowerCase();
  return out;
}

/** better-auth model → [table, fields (other than id)]. */
export const authModels = {
  user: ['users', ['name', 'email', 'emailVerified', 'image', 'createdAt', 'updatedAt']],
  session: ['sessions', ['expiresAt', 'token', 'createdAt', 'updatedAt', 'ipAddress', 'userAgent', 'userId']],
  account: ['accounts', ['accountId', 'providerId', 'userId', 'accessToken', 'refreshToken', 'idToken',
    'accessTokenExpiresAt', 'refreshTokenExpiresAt', 'scope', 'password', 'createdAt', 'updatedAt']],
  verification: ['verifications', ['identifier', 'value', 'expiresAt', 'createdAt', 'updatedAt']],
  jwks: ['jwks', ['publicKey', 'privateKey', 'createdAt', 'expiresAt', 'alg', 'crv']],
  oauthClient: ['oauth_client', ['clientId', 'clientSecret', 'clientDiscoveryId', 'disabled', 'skipConsent',
    'enableEndSession', 'subjectType', 'scopes', 'clientCredentialsScopes', 'userId', 'createdAt', 'updatedAt',
    'name', 'uri', 'icon', 'contacts', 'tos', 'policy', 'softwareId', 'softwareVersion', 'softwareStatement',
    'redirectUris', 'postLogoutRedirectUris', 'backchannelLogoutUri', 'backchannelLogoutSessionRequired',
    'tokenEndpointAuthMethod', 'applicationType', 'jwks', 'jwksUri', 'grantTypes', 'responseTypes', 'requirePKCE',
    'dpopBoundAccessTokens', 'referenceId', 'metadata']],
  oauthResource: ['oauth_resource', ['identifier', 'name', 'accessTokenTtl', 'refreshTokenTtl', 'signingAlgorithm',
    'signingKeyId', 'allowedScopes', 'customClaims', 'dpopBoundAccessTokensRequired', 'disabled', 'createdAt',
    'updatedAt', 'policyVersion', 'metadata']],
  oauthClientResource: ['oauth_client_resource', ['clientId', 'resourceId', 'metadata', 'createdAt']],
  oauthRefreshToken: ['oauth_refresh_token', ['token', 'clientId', 'sessionId', 'userId', 'referenceId',
    'authorizationCodeId', 'resources', 'requestedUserInfoClaims', 'expiresAt', 'createdAt', 'revoked', 'rotatedAt',
    'rotationReplayResponse', 'rotationReplayExpiresAt', 'authTime', 'confirmation', 'scopes']],
  oauthAccessToken: ['oauth_access_token', ['token', 'clientId', 'sessionId', 'userId', 'referenceId',
    'authorizationCodeId', 'resources', 'requestedUserInfoClaims', 'refreshId', 'expiresAt', 'createdAt', 'revoked',
    'confirmation', 'scopes']],
  oauthConsent: ['oauth_consent', ['clientId', 'userId', 'referenceId', 'resources', 'requestedUserInfoClaims',
    'scopes', 'createdAt', 'updatedAt']],
  oauthClientAssertion: ['oauth_client_assertion', ['expiresAt']],
  // RFC 8628 device authorization (`me login --device`): oauthDeviceAuthorization's record, with the
  // OAuth grant's own fields (resources, oauthClientId).
  deviceCode: ['device_codes', ['deviceCode', 'userCode', 'userId', 'expiresAt', 'status', 'lastPolledAt', 'pollingInterval',
    'clientId', 'scope', 'resources', 'oauthClientId']],
} as const satisfies Record<string, readonly [string, readonly string[]]>;

export type AuthModel = keyof typeof authModels;

/** The `{ modelName, fields }` option better-auth takes for one model. */
export function mapped(model: AuthModel) {
  const [table, fields] = authModels[model];
  return { modelName: table, fields: snake(fields) };
}

/** The columns a table must have: id plus every field, snake_cased. */
export function expectedColumns(model: AuthModel): string[] {
  const [, fields] = authModels[model];
  const map = snake(fields);
  return ['id', ...fields.map((f) => map[f] ?? f)].sort();
}
