import { Command, Option, UsageError } from 'clipanion';
import { MeError } from '../client/errors.js';
import { normalizeServer, writeConfig } from '../util/config.js';
import { generic } from '../util/render.js';
import { MeCommand } from './base.js';

export class VersionCommand extends MeCommand {
  static override paths = [['version']];
  static override usage = Command.Usage({
    category: 'General',
    description: 'Print the CLI version (and the server version with --server or a configured server).',
    examples: [['The CLI and server versions', '$0 version --json']],
  });
  async execute() {
    const cli = this.cli.binaryVersion ?? '';
    const s = await this.settings();
    let server: unknown = null;
    try {
      const res = await fetch(`${s.server}/api/v1/version`, { signal: AbortSignal.timeout(3000) });
      if (res.ok) server = await res.json();
    } catch { /* server not running: report the CLI version only */ }
    await this.emit({ cli, server: s.server, serverVersion: server }, () =>
      `me ${cli}\nserver ${s.server}: ${server ? (server as { version: string }).version : 'not reachable'}`);
  }
}

export class WhoamiCommand extends MeCommand {
  static override paths = [['whoami']];
  static override usage = Command.Usage({
    category: 'General',
    description: 'Show who you are signed in as, with which credential, and your spaces.',
    examples: [['Who am I?', '$0 whoami'], ['As JSON', '$0 whoami --json']],
  });
  async execute() {
    const client = await this.client();
    const me = (await client.call('whoami', {})) as any;
    await this.emit(me, () => [
      `${me.name}${me.email ? ` <${me.email}>` : ''}  (${me.kind} ${me.id})`,
      `credential: ${me.credential}${me.scopes ? ` [${me.scopes.join(' ')}]` : ''}${me.restricted ? ' (restricted)' : ''}`,
      `server: ${client.server}`,
      `spaces: ${me.spaces.map((s: any) => `${s.slug}${s.role === 'admin' ? ' (admin)' : ''}`).join(', ') || '(none)'}`,
    ].join('\n'));
  }
}

export class StatusCommand extends MeCommand {
  static override paths = [['status']];
  static override usage = Command.Usage({
    category: 'General',
    description: 'Show the server, your identity, the space in use, the token expiry and the embedding backlog.',
    examples: [['Everything at a glance', '$0 status']],
  });
  async execute() {
    const s = await this.settings();
    const bearer = await this.bearer();
    const set = await bearer.current();
    const status: Record<string, unknown> = {
      server: s.server,
      serverFrom: s.serverSource,
      space: s.space ?? null,
      credential: bearer.kind === 'apiKey' ? 'ME_API_KEY' : set ? 'oauth' : 'none',
      tokenExpiresAt: set?.expiresAt ? new Date(set.expiresAt).toISOString() : null,
    };
    try {
      const res = await fetch(`${s.server}/api/v1/version`, { signal: AbortSignal.timeout(3000) });
      status.serverVersion = res.ok ? ((await res.json()) as { version: string }).version : null;
    } catch {
      status.serverVersion = null;
      status.reachable = false;
    }
    if (status.serverVersion && status.credential !== 'none') {
      try {
        const client = await this.client();
        const me = (await client.call('whoami', {})) as any;
        status.identity = `${me.name}${me.email ? ` <${me.email}>` : ''}`;
        // Refreshing may have happened during the call: show the current expiry.
        const now = await bearer.current();
        if (now?.expiresAt) status.tokenExpiresAt = new Date(now.expiresAt).toISOString();
        const { findSpec } = await import('../spec/load.js');
        if (await findSpec('embeddings.status')) {
          const e = (await client.call('embeddings.status', {})) as { available: boolean; pending: number; failing: number };
          status.semanticSearch = e.available;
          status.embeddingBacklog = e.pending;
          if (e.failing) status.embeddingFailing = e.failing;
        }
      } catch (err) {
        status.error = err instanceof MeError ? `${err.message} (${err.code})` : String(err);
      }
    }
    await this.emit(status, () => generic(status));
    return status.error || status.serverVersion === null ? 1 : 0;
  }
}

export class LoginCommand extends MeCommand {
  static override paths = [['login']];
  static override usage = Command.Usage({
    category: 'General',
    description: 'Sign in with your browser (OAuth), or with a code on another device, and remember the server.',
    details:
      'Opens the sign-in page of the server in your browser and receives the result on a loopback address ' +
      '(http://127.0.0.1:<random port>/callback). With --no-browser the URL is printed instead; on a machine ' +
      'without a browser (SSH), open the URL anywhere, sign in, then paste the address the browser lands on ' +
      '(it starts with http://127.0.0.1) into the terminal. With --device nothing is opened here: the command ' +
      'prints a code and the address of the server\'s /device page; open it on any device (a phone works), sign ' +
      'in, check the code and approve (RFC 8628). The server you sign in to becomes your default server. The ' +
      'tokens are stored in the OS keychain, or in ~/.config/me/credentials.json (mode 0600) when there is none. ' +
      'Scripts and agents can use an API key instead: ME_API_KEY=me.… (see `me apikey create --self`).',
    examples: [
      ['Sign in to the local server', '$0 login'],
      ['Sign in to another server, printing the URL', '$0 login --server https://me.example.com --no-browser'],
      ['On a machine without a browser: approve a code on your phone', '$0 login --server https://me.example.com --device'],
    ],
  });
  noBrowser = Option.Boolean('--no-browser', false, { description: 'Print the sign-in URL instead of opening a browser' });
  device = Option.Boolean('--device', false, { description: 'Sign in with a code on another device (no browser needed here)' });
  timeout = Option.String('--timeout', { description: 'Seconds to wait for the sign-in (default 300; with --device, until the code expires)' });
  static placeholders = { '--timeout': '<seconds>' };

  async execute() {
    if (this.timeout !== undefined && !/^\d+$/.test(this.timeout)) throw new UsageError(`--timeout is a number of seconds, got "${this.timeout}"`);
    const server = normalizeServer((await this.settings()).server);
    if (process.env.ME_API_KEY) this.note('note: ME_API_KEY is set and takes precedence over the login while it is set.');
    const { saveTokenSet } = await import('../auth/store.js');
    const timeoutMs = this.timeout ? Number(this.timeout) * 1000 : undefined;
    let set;
    if (this.device) {
      const { deviceLogin } = await import('../auth/device.js');
      set = await deviceLogin({ server, say: (l) => this.note(l), openBrowser: false, timeoutMs });
    } else {
      const { login } = await import('../auth/login.js');
      set = await login({
        server,
        openBrowser: !this.noBrowser,
        say: (l) => this.note(l),
        paste: this.context.stdin,
        timeoutMs: timeoutMs ?? 300_000,
      });
    }
    const where = await saveTokenSet(set);
    // The server signed in to becomes the default, wherever it came from (--server, ME_SERVER, config).
    const config = await writeConfig({ server });
    const summary = { server, scope: set.scope ?? null, expiresAt: set.expiresAt ? new Date(set.expiresAt).toISOString() : null, stored: where, config };
    await this.emit(summary, () => `Signed in to ${server} (tokens stored in the ${where === 'file' ? 'file ~/.config/me/credentials.json (0600)' : 'OS keychain'}; ${server} is now your default server).`);
    // stdin was read for a pasted URL: make sure it does not hold the process open.
    (this.context.stdin as { destroy?: () => void }).destroy?.();
  }
}

export class LogoutCommand extends MeCommand {
  static override paths = [['logout']];
  static override usage = Command.Usage({
    category: 'General',
    description: 'Revoke the refresh token at the server and forget the stored tokens.',
    examples: [['Sign out of the configured server', '$0 logout']],
  });
  async execute() {
    const server = (await this.settings()).server;
    const { loadTokenSet, deleteTokenSet } = await import('../auth/store.js');
    const set = await loadTokenSet(server);
    let revoked: boolean | string = false;
    if (set) {
      const { revoke, describe } = await import('../auth/oauth.js');
      try {
        revoked = await revoke(set);
      } catch (err) {
        revoked = `not revoked: ${describe(err)}`;
      }
    }
    const removed = await deleteTokenSet(server);
    if (process.env.ME_API_KEY) this.note('note: ME_API_KEY is still set in your environment; unset it to stop using that key.');
    await this.emit({ server, removed, revoked }, () =>
      removed ? `Signed out of ${server}${revoked === true ? ' (refresh token revoked)' : typeof revoked === 'string' ? ` (${revoked})` : ''}.` : `Not signed in to ${server}.`);
  }
}
