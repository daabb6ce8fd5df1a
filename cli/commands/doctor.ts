import { statSync } from 'node:fs';
import { Command } from 'clipanion';
import { MeError } from '../client/errors.js';
import { get } from '../client/http.js';
import { MeCommand } from './base.js';

// `me doctor`: every thing a command depends on, checked in order, each with its fix.

interface Check {
  name: string;
  /** true ✓, false ✗ (exit 1), null: for information (an optional feature that is off). */
  ok: boolean | null;
  detail: string;
  fix?: string;
}

const MAX_SKEW_S = 30;

export class DoctorCommand extends MeCommand {
  static override paths = [['doctor']];
  static override usage = Command.Usage({
    category: 'General',
    description: 'Check the server, your credentials, the space in use, embeddings and the clock, with a fix for each problem.',
    details:
      'Checks, in order: the server answers (and its version against this CLI), the clock agrees with the server, the ' +
      'credential is valid (and when it expires) and where it is stored (OS keychain or a 0600 file), the space and tree ' +
      'paths your commands will use, and whether semantic search (embeddings) is available. Each line is ✓ or ✗ with ' +
      'the fix; · marks an optional feature that is off. Exits 1 when any check fails.',
    examples: [['Check everything', '$0 doctor'], ['Against another server, as JSON', '$0 doctor --server https://me.example.com --json']],
  });

  async execute() {
    const checks: Check[] = [];
    const version = this.cli.binaryVersion ?? '';
    const s = await this.settings();
    const from = { flag: '--server', ME_SERVER: 'ME_SERVER', config: 'the config file', default: 'the default' }[s.serverSource];
    let serverVersion: string | null = null;
    try {
      const sent = Date.now();
      const res = await get(`${s.server}/api/v1/version`, 5000);
      const received = Date.now();
      if (res.status !== 200) throw new Error(`HTTP ${res.status} from /api/v1/version: is this a Memory Engine server?`);
      serverVersion = (JSON.parse(res.text) as { version: string }).version;
      const same = serverVersion === version;
      checks.push({
        name: 'server', ok: same,
        detail: `${s.server} (from ${from}) answers: server ${serverVersion}, this CLI ${version}`,
        ...(same ? {} : { fix: `use the same version on both sides: npm install -g memory-engine@${serverVersion} (or upgrade the server)` }),
      });
      const date = res.headers.date as string | undefined;
      if (date) {
        // The Date header has 1 s resolution: compare with the middle of the request.
        const skew = (Date.parse(date) + 500 - (sent + received) / 2) / 1000;
        const ok = Math.abs(skew) <= MAX_SKEW_S;
        checks.push({
          name: 'clock', ok,
          detail: ok ? `within ${Math.max(1, Math.ceil(Math.abs(skew)))} s of the server` : `${Math.abs(skew).toFixed(0)} s ${skew > 0 ? 'behind' : 'ahead of'} the server`,
          ...(ok ? {} : { fix: 'synchronize the clock (e.g. `sudo timedatectl set-ntp true`): tokens expire early or late otherwise' }),
        });
      }
    } catch (err) {
      checks.push({
        name: 'server', ok: false, detail: `${s.server} (from ${from}) does not answer: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        fix: 'start one with `me serve`, or point at yours with --server URL, ME_SERVER or `me login --server URL`',
      });
    }
    if (serverVersion !== null) await this.credentialChecks(checks);
    await this.emit({ ok: !checks.some((c) => c.ok === false), checks }, () => checks.map((c) =>
      `${c.ok === true ? '✓' : c.ok === false ? '✗' : '·'} ${c.name.padEnd(11)} ${c.detail}${c.fix ? `\n  ${' '.repeat(11)} fix: ${c.fix}` : ''}`).join('\n'));
    return checks.some((c) => c.ok === false) ? 1 : 0;
  }

  private async credentialChecks(checks: Check[]) {
    const s = await this.settings();
    const bearer = await this.bearer();
    const { tokenSetLocation, credentialsFile } = await import('../auth/store.js');
    if (bearer.kind === 'apiKey') {
      checks.push({ name: 'credential', ok: true, detail: 'ME_API_KEY is set (it is used instead of any `me login`)' });
    } else {
      const where = await tokenSetLocation(s.server);
      if (!where) {
        checks.push({ name: 'credential', ok: false, detail: `not signed in to ${s.server}`, fix: 'run `me login` (or set ME_API_KEY to an API key)' });
        return;
      }
      const set = await bearer.current();
      const file = credentialsFile();
      const mode = where === 'file' ? statSync(file).mode & 0o777 : 0;
      checks.push({
        name: 'storage', ok: where === 'keychain' || (mode & 0o077) === 0,
        detail: where === 'keychain' ? 'tokens in the OS keychain' : `tokens in ${file} (mode ${mode.toString(8).padStart(4, '0')})`,
        ...(where === 'file' && (mode & 0o077) !== 0 ? { fix: `chmod 600 ${file}` } : {}),
      });
      if (set?.expiresAt) {
        const minutes = Math.round((set.expiresAt - Date.now()) / 60_000);
        checks.push({
          name: 'token', ok: minutes > 0 || !!set.refreshToken,
          detail: `access token ${minutes > 0 ? `expires in ${minutes} min` : `expired ${-minutes} min ago`}; ${set.refreshToken ? 'it is refreshed automatically' : 'no refresh token'}`,
          ...(minutes <= 0 && !set.refreshToken ? { fix: 'run `me login` again' } : {}),
        });
      }
    }
    let context: any;
    try {
      const client = await this.client();
      context = await client.call('context', s.space ? { space: s.space } : {});
      const who = `${context.principal.name}${context.principal.email ? ` <${context.principal.email}>` : ''}`;
      checks.push({ name: 'identity', ok: true, detail: `${who} (${context.principal.kind}, ${context.credential}${context.scopes ? `, scopes ${context.scopes.join(' ')}` : ''})` });
    } catch (err) {
      const e = err as MeError;
      checks.push({
        name: 'identity', ok: false, detail: `${e.message}${e.code ? ` (${e.code})` : ''}`,
        fix: e.code === 'UNAUTHORIZED' ? 'run `me login` again, or set ME_API_KEY to a valid key' : e.code === 'NOT_FOUND' ? 'list your spaces with `me space list` and pick one with `me space use SLUG`' : (e.hint ?? 'see the message'),
      });
      return;
    }
    const spaceFrom = s.space ? (this.space ? '--space' : process.env.ME_SPACE ? 'ME_SPACE' : 'the config file') : ({ personal: 'your personal space', only: 'your only space', connection: 'the connection', argument: '--space', none: '' } as Record<string, string>)[context.spaceSource];
    if (!context.space) {
      checks.push({ name: 'space', ok: false, detail: context.spaceProblem ?? 'no space could be chosen', fix: 'pick one with `me space use SLUG` (see `me space list`)' });
    } else {
      const trees = context.access.map((a: { tree: string; level: string }) => `${a.tree} (${a.level})`).join(', ') || 'nothing yet';
      checks.push({
        name: 'space', ok: context.access.length > 0,
        detail: `${context.space.slug} (${spaceFrom}); you may use ${trees}${context.canWrite ? '' : '; this credential is read-only'}`,
        ...(context.access.length ? {} : { fix: 'ask an admin of the space for a grant (`me grant set`)' }),
      });
      try {
        const client = await this.client();
        const e = (await client.call('embeddings.status', {})) as { available: boolean; configured: boolean; vector: boolean; model: string | null; pending: number; failing: number; lastError: string | null };
        if (!e.configured) checks.push({ name: 'embeddings', ok: null, detail: 'off: keyword search only', fix: 'for semantic search set ME_EMBEDDING_URL, ME_EMBEDDING_MODEL and ME_EMBEDDING_DIMENSIONS on the server' });
        else if (!e.vector) checks.push({ name: 'embeddings', ok: false, detail: `configured (${e.model}) but Postgres has no pgvector`, fix: 'install pgvector on the server\'s Postgres (or use the embedded database)' });
        else checks.push({
          name: 'embeddings', ok: e.failing === 0,
          detail: `${e.model}: ${e.pending} waiting${e.failing ? `, ${e.failing} failing (${e.lastError})` : ''}`,
          ...(e.failing ? { fix: 'check the embedding provider (ME_EMBEDDING_URL, its API key) in the server log' } : {}),
        });
      } catch (err) {
        checks.push({ name: 'embeddings', ok: null, detail: `status unavailable: ${(err as Error).message}` });
      }
    }
  }
}
