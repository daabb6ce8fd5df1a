import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline';
import * as oidc from 'openid-client';
import { MeError } from '../client/errors.js';
import { discover, SCOPES, tokenSetFrom } from './oauth.js';
import type { TokenSet } from './token-set.js';

export interface LoginOptions {
  server: string;
  /** Open the system browser (else only print the URL). */
  openBrowser: boolean;
  /** Where the URL and instructions go (stderr for people). */
  say: (line: string) => void;
  /** Also accept the redirect URL pasted on this stream (headless machines). */
  paste?: NodeJS.ReadableStream;
  timeoutMs?: number;
}

const page = (title: string, body: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title>` +
  `<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;line-height:1.5">` +
  `<h1>${title}</h1><p>${body}</p></body>`;
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The browser login: authorization code + PKCE (S256) + state with a loopback redirect on
 * 127.0.0.1:<random port>. The redirect URL can also be pasted (for a browser on another machine,
 * whose redirect to 127.0.0.1 cannot reach us): both paths go through the same state/PKCE/iss checks.
 */
export async function login(opts: LoginOptions): Promise<TokenSet> {
  const config = await discover(opts.server);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const challenge = await oidc.calculatePKCECodeChallenge(verifier);

  let settle!: (url: URL) => void;
  let fail!: (err: Error) => void;
  const callback = new Promise<URL>((res, rej) => ((settle = res), (fail = rej)));

  const loopback: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', redirectUri);
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    const error = url.searchParams.get('error');
    res.writeHead(error ? 400 : 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(
      error
        ? page('Sign-in failed', `${escape(error)}: ${escape(url.searchParams.get('error_description') ?? '')}. Return to your terminal and run <code>me login</code> again.`)
        : page('Signed in', 'The <code>me</code> CLI is signed in. You can close this tab and return to your terminal.'),
    );
    settle(url);
  });
  await new Promise<void>((r) => loopback.listen(0, '127.0.0.1', r));
  const port = (loopback.address() as { port: number }).port;
  const redirectUri = `http://127.0.0.1:${port}/callback`;

  const authUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: SCOPES,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  });

  opts.say(`Open this URL in a browser to sign in to ${opts.server}:\n\n  ${authUrl.href}\n`);
  if (opts.openBrowser) openInBrowser(authUrl.href);
  let rl: ReturnType<typeof createInterface> | undefined;
  if (opts.paste) {
    opts.say('Waiting for the browser… On another machine? After signing in, copy the address of the page it lands on\n(http://127.0.0.1:…/callback?code=…) and paste it here.' +
      (opts.openBrowser ? '' : '\nNo browser at all here? Stop this (Ctrl-C) and run `me login --device`: you approve a code on any device instead.'));
    rl = createInterface({ input: opts.paste });
    rl.on('line', (line) => {
      const text = line.trim();
      if (!text) return;
      try {
        const url = new URL(text);
        if (!url.searchParams.has('code') && !url.searchParams.has('error')) throw new Error('no code');
        settle(url);
      } catch {
        opts.say('That is not the callback address (it contains ?code=…&state=…); paste the whole address.');
      }
    });
  }
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  const timer = setTimeout(() => fail(new MeError('TIMEOUT', `no sign-in completed within ${Math.round(timeoutMs / 1000)} s; run \`me login\` again`)), timeoutMs);

  try {
    const returned = await callback;
    const error = returned.searchParams.get('error');
    if (error) {
      throw new MeError('UNAUTHORIZED', `sign-in was refused: ${error}${returned.searchParams.has('error_description') ? ` (${returned.searchParams.get('error_description')})` : ''}`);
    }
    // The code is bound to our redirect URI: rebuild the URL the AS redirected to, on our origin.
    const current = new URL(redirectUri);
    current.search = returned.search;
    let res: oidc.TokenEndpointResponse;
    try {
      res = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: verifier, expectedState: state });
    } catch (err) {
      const { describe } = await import('./oauth.js');
      throw new MeError('UNAUTHORIZED', `the sign-in could not be completed: ${describe(err)}`);
    }
    return tokenSetFrom(opts.server, config, res);
  } finally {
    clearTimeout(timer);
    rl?.close();
    loopback.closeAllConnections?.();
    loopback.close();
  }
}

function openInBrowser(url: string) {
  const cmd = process.env.BROWSER || (process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open');
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => {}); // no opener installed: the printed URL is the fallback
    child.unref();
  } catch { /* printed URL is enough */ }
}
