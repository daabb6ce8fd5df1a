import type { Context, Hono } from 'hono';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { AppError } from '../../contracts/errors.js';
import { createMcpServer } from '../../mcp/server.js';
import { authenticate, fetchHeaders, type CredentialVerifiers } from '../auth/authenticate.js';
import type { Caller, Services } from '../context.js';
import { errorResponse, readJson, type EdgeEnv } from '../http/edge.js';
import { operations } from '../registry.js';
import { invoke } from '../rpc/dispatch.js';
import { classifyError } from '../util/pg-errors.js';
import { version } from '../version.js';
import { challenge, mountResourceMetadata, resourceUrls } from './metadata.js';
import { originPolicy } from './origin.js';

export interface McpMountOptions {
  /** The public origin (ME_PUBLIC_URL), when set. */
  publicUrl?: string;
  /** The listen origin, known once the server listens. */
  listenUrl: () => string;
  verifiers: CredentialVerifiers;
}

/**
 * The hosted MCP endpoint: stateless Streamable HTTP (a fresh server and transport per request, so
 * any replica answers any request), JSON responses, bearer-only (never a cookie: a browser page must
 * not ride on a signed-in user's session). The edge (server/http/edge.ts) has already limited the
 * body; authentication is the same dispatcher as the RPC API's, for the /mcp audience only. Each tool
 * call is looked up once (mcp/server.ts) and authorized once (the registry's dispatcher).
 */
export function mountMcp(app: Hono<EdgeEnv>, svc: Services, opts: McpMountOptions) {
  const origin = () => opts.publicUrl ?? opts.listenUrl();
  const policy = originPolicy(() => [opts.listenUrl(), ...(opts.publicUrl ? [opts.publicUrl] : [])]);
  mountResourceMetadata(app, origin);

  app.all('/mcp', async (c) => {
    const req = c.req.raw;
    if (!policy.hostAllowed(req.headers.get('host'))) {
      return errorResponse(c, new AppError('FORBIDDEN', `Host "${req.headers.get('host')}" is not this server; connect to ${origin()}/mcp`, { reason: 'CROSS_ORIGIN' }));
    }
    if (!policy.originAllowed(req.headers.get('origin'))) {
      return errorResponse(c, new AppError('FORBIDDEN', `requests from Origin "${req.headers.get('origin')}" are not allowed`, { reason: 'CROSS_ORIGIN' }));
    }
    const u = resourceUrls(origin());
    let caller: Caller;
    try {
      caller = await authenticate(svc, opts.verifiers, fetchHeaders(req.headers), { resource: u.resource, cookies: false, unboundTokens: false });
    } catch (err) {
      const e = classifyError(err);
      if (e?.code === 'UNAUTHORIZED') {
        // No credential: just where to get one. A bad one: invalid_token, and why.
        c.header('WWW-Authenticate', challenge(u, e.reason === 'LOGIN_REQUIRED' ? {} : { error: 'invalid_token', description: e.message }));
      }
      return errorResponse(c, err);
    }
    // Stateless: no standalone SSE stream (GET) and no session to delete.
    if (req.method !== 'POST') {
      c.header('Allow', 'POST');
      return errorResponse(c, new AppError('VALIDATION_ERROR', `${req.method} is not supported: this endpoint is stateless; POST JSON-RPC messages`, { reason: 'INVALID_REQUEST' }), 405);
    }
    let body: unknown;
    try {
      body = await readJson(c);
    } catch (err) {
      return errorResponse(c, err);
    }
    return serve(c, caller, body, u);
  });

  async function serve(c: Context<EdgeEnv>, caller: Caller, body: unknown, u: ReturnType<typeof resourceUrls>) {
    const requestId = c.get('requestId');
    // A missing scope is an HTTP 403 with a step-up challenge (not a tool result), so the client can
    // ask its user for more. The dispatcher decides; this only remembers what it said.
    let stepUp: AppError | undefined;
    const server = createMcpServer(
      version,
      async (entry, args) => {
        const started = performance.now();
        try {
          return await invoke(svc, caller, operations.get(entry.contract.name)!, args, requestId);
        } catch (err) {
          if (err instanceof AppError && err.reason === 'SCOPE_MISSING') stepUp ??= err;
          throw err;
        } finally {
          svc.log.info('mcp', { requestId, tool: entry.tool.name, ms: +(performance.now() - started).toFixed(2), principal: caller.principalId, credential: caller.credential });
        }
      },
      (thrown) => {
        const err = classifyError(thrown);
        return err ? { code: err.code, message: err.message } : null;
      },
      (tool, err) => svc.log.error('mcp tool failed', { requestId, tool, error: String((err as Error)?.stack ?? err) }),
    );
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      const res = await transport.handleRequest(c.req.raw, { parsedBody: body });
      if (!stepUp) return res;
      const scope = String(stepUp.data?.requiredScope);
      c.header('WWW-Authenticate', challenge(u, { error: 'insufficient_scope', scope, description: stepUp.message }));
      return errorResponse(c, stepUp);
    } finally {
      // JSON responses are complete here; release the per-request server.
      void server.close();
    }
  }
}
