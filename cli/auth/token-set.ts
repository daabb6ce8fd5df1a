/** What `me login` stores per server. */
export interface TokenSet {
  server: string;
  issuer: string;
  clientId: string;
  /** The authorization server endpoints, so refresh and revoke need no discovery round trip. */
  tokenEndpoint: string;
  revocationEndpoint?: string;
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt?: number;
  scope?: string;
  /** Bumped on every save; used to tell whether another process refreshed meanwhile. */
  savedAt: number;
}
