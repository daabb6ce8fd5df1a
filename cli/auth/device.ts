import { spawn } from 'node:child_process';
import * as oidc from 'openid-client';
import { MeError } from '../client/errors.js';
import { describe, discover, SCOPES, tokenSetFrom } from './oauth.js';
import type { TokenSet } from './token-set.js';

// `me login --device`: the OAuth 2.0 device authorization grant (RFC 8628) for machines with no
// browser. The CLI asks the server for a code, the person opens <server>/device anywhere, signs in
// and approves that code; meanwhile the CLI polls the token endpoint and receives the same token set
// (access + rotating refresh token) as the browser login.

export interface DeviceLoginOptions {
  server: string;
  say: (line: string) => void;
  /** Also open the verification page in this machine's browser. */
  openBrowser: boolean;
  timeoutMs?: number;
}

/** `ABCDEFGH` → `ABCD-EFGH`: easier to read and type (the server accepts either). */
const pretty = (code: string) => (/^[A-Z0-9]{8}$/.test(code) ? `${code.slice(0, 4)}-${code.slice(4)}` : code);

export async function deviceLogin(opts: DeviceLoginOptions): Promise<TokenSet> {
  const config = await discover(opts.server);
  if (!config.serverMetadata().device_authorization_endpoint) {
    throw new MeError('UNAVAILABLE', `${opts.server} does not offer device sign-in (an older server)`, {
      data: { hint: 'use `me login --no-browser` and paste the address the browser lands on' },
    });
  }
  let start: oidc.DeviceAuthorizationResponse;
  try {
    start = await oidc.initiateDeviceAuthorization(config, { scope: SCOPES });
  } catch (err) {
    throw new MeError('UNAUTHORIZED', `the server refused to start a device sign-in: ${describe(err)}`);
  }
  const complete = start.verification_uri_complete ?? start.verification_uri;
  opts.say(
    `To sign in to ${opts.server}, open this page on any device (a phone works):\n\n  ${start.verification_uri}\n\n` +
    `and enter the code\n\n  ${pretty(start.user_code)}\n\n(or open ${complete} to have it filled in). ` +
    `Waiting for you to approve it there (the code expires in ${Math.round(start.expires_in / 60)} minutes)…`,
  );
  if (opts.openBrowser) {
    const cmd = process.env.BROWSER || (process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open');
    const child = spawn(cmd, [complete], { stdio: 'ignore', detached: true });
    child.on('error', () => {}); // no opener: the printed address is enough
    child.unref();
  }
  try {
    const res = await oidc.pollDeviceAuthorizationGrant(config, start, undefined, opts.timeoutMs ? { signal: AbortSignal.timeout(opts.timeoutMs) } : {});
    return tokenSetFrom(opts.server, config, res);
  } catch (err) {
    const code = (err as { error?: string }).error;
    if (code === 'access_denied') throw new MeError('UNAUTHORIZED', 'the sign-in was denied on the device page');
    if (code === 'expired_token' || (err as Error).name === 'TimeoutError') throw new MeError('TIMEOUT', 'the code expired before it was approved; run `me login --device` again');
    throw new MeError('UNAUTHORIZED', `the device sign-in could not be completed: ${describe(err)}`);
  }
}
