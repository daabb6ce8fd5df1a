import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { looksLikeApiKey, verifyApiKey } from '../auth/api-keys.js';
import { AppError } from '../../contracts/errors.js';
import type { Caller, Services } from '../context.js';
import { operations } from '../registry.js';
import { authorize, invoke } from '../rpc/dispatch.js';
import { challenge, mountResourceMetadata, resourceUrls, type ResourceUrls } from './metadata.js';
import { originPolicy } from './origin.js';
import { createMcpServer } from '../../mcp/server.js';
import { findTool } from '../../mcp/tools.js';
import { connection } from '../users/connectors.js';
import { classifyError } from '../util/pg-errors.js';
import { version } from '../version.js';

/** The payload of a JWT (already verified by the caller of this), or null for other tokens. */
function jwtClaims(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export interface McpMountOptions {
  /** The public origin (ME_PUBLIC_URL), when set. */
  publicUrl?: string;
  /** The listen origin, known once the server listens. */
  listenUrl: () => string;
  bodyLimit: number;
  /**
   * Verifies an OAuth access token minted for exactly this audience (the `/mcp` resource): issuer,
   * signature, expiry, audience. null when invalid. API keys are verified here, not by this.
   */
  verifyAccessToken?: (token: string, audience: string) => Promise<Caller | null>;
}

type Rpc = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: { name?: unknown } };

const jsonRpcError = (id: unknown, code: number, message: string, data?: unknown) =>
  ({ jsonrpc: '2.0', id: typeof id === 'string' || typeof id === 'number' ? id : null, error: { code, message, ...(data ? { data } : {}) } });

/**
 * The hosted MCP endpoint: stateless Streamable HTTP (a fresh server and transport per request, so
 * any replica answers any request), JSON responses, bearer-only (never a cookie: a browser page must
 * not ride on a signed-in user's session).
 */
export function mountMcp(app: Hono, svc: Services, opts: McpMountOptions) {
  const origin = () => opts.publicUrl ?? opts.listenUrl();
  const policy = originPolicy(() => [opts.listenUrl(), ...(opts.publicUrl ? [opts.publicUrl] : [])]);
  mountResourceMetadata(app, origin);

  const unauthorized = (c: Context, u: ResourceUrls, description?: string) => {
    c.header('WWW-Authenticate', challenge(u, description ? { error: 'invalid_token', description } : {}));
    return c.json({ error: description ? 'invalid_token' : 'unauthorized', error_description: description ?? 'this endpoint needs an OAuth access token (see WWW-Authenticate) or an API key' }, 401);
  };

  async function authenticate(req: Request, u: ResourceUrls): Promise<Caller | string | null> {
    const header = req.headers.get('authorization');
    if (header === null) return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return 'the Authorization header must be "Bearer <token>"';
    const token = m[1]!;
    const rejected = `the access token is invalid, expired, revoked or not issued for ${u.resource}`;
    if (looksLikeApiKey(token)) return (await verifyApiKey(svc.sql, token)) ?? rejected;
    const caller = opts.verifyAccessToken ? await opts.verifyAccessToken(token, u.resource) : null;
    if (!caller) return rejected;
    // Signature, issuer and expiry are verified; the audience check there is a membership test.
    // Here it must be exactly this resource: a token also valid elsewhere is not accepted.
    const claims = jwtClaims(token);
    if (!claims) return caller; // an opaque token: bound to this resource by its stored resources
    // (With the openid scope the AS adds its own userinfo endpoint as a second audience: harmless.)
    const aud = [claims.aud].flat().filter((a) => a !== `${u.issuer}/oauth2/userinfo`);
    if (aud.length !== 1 || aud[0] !== u.resource) return rejected;
    const clientId = typeof claims.azp === 'string' ? claims.azp : typeof claims.client_id === 'string' ? claims.client_id : null;
    if (!clientId) return caller;
    // A disconnected application is refused within seconds, even with an unexpired JWT; the space
    // chosen at consent becomes the connection's default.
    const conn = await connection(svc.sql, caller.principalId, clientId);
    if (!conn.approved) return `this application was disconnected; connect it again to use Memory Engine`;
    return conn.space ? { ...caller, defaultSpace: conn.space } : caller;
  }

  app.all('/mcp', async (c) => {
    const req = c.req.raw;
    if (!policy.hostAllowed(req.headers.get('host'))) {
      return c.json(jsonRpcError(null, -32000, `Host "${req.headers.get('host')}" is not this server; connect to ${origin()}/mcp`), 403);
    }
    if (!policy.originAllowed(req.headers.get('origin'))) {
      return c.json(jsonRpcError(null, -32000, `requests from Origin "${req.headers.get('origin')}" are not allowed`), 403);
    }
    const u = resourceUrls(origin());
    const auth = await authenticate(req, u);
    if (auth === null) return unauthorized(c, u);
    if (typeof auth === 'string') return unauthorized(c, u, auth);
    // A connection may pin its default space (e.g. `claude mcp add --header "X-Me-Space: team"`).
    const headerSpace = req.headers.get('x-me-space');
    const caller = headerSpace ? { ...auth, defaultSpace: headerSpace } : auth;

    // Stateless: no standalone SSE stream (GET) and no session to delete.
    if (req.method !== 'POST') {
      c.header('Allow', 'POST');
      return c.json(jsonRpcError(null, -32000, `${req.method} is not supported: this endpoint is stateless; POST JSON-RPC messages`), 405);
    }
    const text = await req.text();
    if (Buffer.byteLength(text) > opts.bodyLimit) {
      return c.json(jsonRpcError(null, -32000, `the request body is larger than ${opts.bodyLimit} bytes`), 413);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      return c.json(jsonRpcError(null, -32700, `the body is not valid JSON: ${(err as Error).message}`), 400);
    }

    // Missing scope is an HTTP 403 with a step-up challenge (not a tool result): the client can
    // then ask the user for more. The dispatcher's own check decides; it is not repeated here.
    for (const msg of (Array.isArray(body) ? body : [body]) as Rpc[]) {
      if (msg?.method !== 'tools/call' || typeof msg.params?.name !== 'string') continue;
      const entry = findTool(msg.params.name);
      if (!entry) continue;
      try {
        authorize(entry.contract, caller);
      } catch (err) {
        if (!(err instanceof AppError) || !err.data?.insufficientScope) continue;
        const scope = String(err.data.requiredScope);
        c.header('WWW-Authenticate', challenge(u, { error: 'insufficient_scope', scope, description: `${msg.params.name} needs the ${scope} scope` }));
        return c.json(jsonRpcError(msg.id, -32003, err.message, { code: 'FORBIDDEN', requiredScope: scope }), 403);
      }
    }

    const requestId = c.req.header('x-request-id')?.slice(0, 100) || randomUUID();
    const server = createMcpServer(
      version,
      async (entry, args) => {
        const started = performance.now();
        try {
          return await invoke(svc, caller, operations.get(entry.contract.name)!, args, requestId);
        } finally {
          svc.log.info('mcp', { requestId, tool: entry.tool.name, ms: +(performance.now() - started).toFixed(2), principal: caller.principalId, credential: caller.credential });
        }
      },
      (thrown) => { const err = classifyError(thrown); return err ? { code: err.code, message: err.message } : null; },
      (tool, err) => svc.log.error('mcp tool failed', { requestId, tool, error: String((err as Error)?.stack ?? err) }),
    );
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(req, { parsedBody: body });
    } finally {
      // JSON responses are complete here; release the per-request server.
      void server.close();
    }
  });
}
