import type { Hono } from 'hono';

// RFC 9728 protected resource metadata and the RFC 6750 challenges that point to it.

export const MCP_SCOPES = ['memory:read', 'memory:write'] as const;

export interface ResourceUrls {
  /** The canonical resource: `<origin>/mcp`, no trailing slash (tokens' audience must equal it). */
  resource: string;
  /** The authorization server's issuer: `<origin>/api/v1/auth`. */
  issuer: string;
  /** Where the metadata lives (RFC 9728 path-inserted form). */
  metadataUrl: string;
}

export function resourceUrls(origin: string): ResourceUrls {
  return {
    resource: `${origin}/mcp`,
    issuer: `${origin}/api/v1/auth`,
    metadataUrl: `${origin}/.well-known/oauth-protected-resource/mcp`,
  };
}

export function protectedResourceMetadata(u: ResourceUrls) {
  return {
    resource: u.resource,
    // The issuer exactly (not the bare origin): clients fetch its metadata by path insertion.
    authorization_servers: [u.issuer],
    scopes_supported: [...MCP_SCOPES],
    bearer_methods_supported: ['header'],
    resource_name: 'Memory Engine',
  };
}

const quote = (s: string) => `"${s.replace(/["\\]/g, '')}"`;

/** `WWW-Authenticate` for a 401 (no token, or a bad one) or a 403 (step-up to more scope). */
export function challenge(u: ResourceUrls, opts: { error?: 'invalid_token' | 'insufficient_scope'; description?: string; scope?: string } = {}) {
  const parts: string[] = [];
  if (opts.error) parts.push(`error=${quote(opts.error)}`);
  if (opts.description) parts.push(`error_description=${quote(opts.description)}`);
  parts.push(`scope=${quote(opts.scope ?? MCP_SCOPES.join(' '))}`);
  parts.push(`resource_metadata=${quote(u.metadataUrl)}`);
  return `Bearer ${parts.join(', ')}`;
}

/** Serves the metadata at the path-inserted URL and at the root (clients try both). */
export function mountResourceMetadata(app: Hono<any>, origin: () => string) {
  const serve = (c: import('hono').Context) => {
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(protectedResourceMetadata(resourceUrls(origin())));
  };
  for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
    app.get(path, serve);
    app.options(path, (c) => {
      c.header('Access-Control-Allow-Origin', '*');
      c.header('Access-Control-Allow-Methods', 'GET, OPTIONS');
      c.header('Access-Control-Allow-Headers', 'mcp-protocol-version');
      return c.body(null, 204);
    });
  }
}
