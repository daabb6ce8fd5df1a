import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option, UsageError } from 'clipanion';
import { MeError } from '../client/errors.js';
import { post } from '../client/http.js';
import { MeCommand } from './base.js';

export class ServeCommand extends MeCommand {
  static override paths = [['serve']];
  static override usage = Command.Usage({
    category: 'General',
    description: 'Run the Memory Engine server (embedded database by default).',
    details:
      'Same as `npm start`: the embedded Postgres under the data directory unless DATABASE_URL (or --database-url) ' +
      'is set. On the first start it creates the owner, the space "default" and prints an API key once. Every ' +
      'server environment variable applies (ME_PORT, ME_HOST, ME_DATA_DIR, ME_PUBLIC_URL, ME_EMBEDDING_*, …); a ' +
      'problem with one, or a busy port, is reported in one line before the server starts. With --owner-link it ' +
      'starts nothing: it asks the server already running on the data directory for a new one-time owner sign-in ' +
      'link (reading the data directory is the proof that you may; an API key is not enough).',
    examples: [
      ['Run locally on the default port 3210', '$0 serve'],
      ['Another port and data directory', '$0 serve --port 4000 --data-dir ./me-data'],
      ['A new owner sign-in link from the running server', '$0 serve --owner-link'],
    ],
  });
  port = Option.String('--port,-p', { description: 'Port to listen on (ME_PORT, default 3210; 0 picks a free one)' });
  host = Option.String('--host', { description: 'Address to bind (ME_HOST, default 127.0.0.1)' });
  dataDir = Option.String('--data-dir', { description: 'Where the embedded database and keys live (ME_DATA_DIR)' });
  databaseUrl = Option.String('--database-url', { description: 'Use this Postgres instead of the embedded one (DATABASE_URL)' });
  ownerLink = Option.Boolean('--owner-link', false, { description: 'Print a new one-time owner sign-in link from the server running on the data directory, then exit' });

  async execute() {
    if (this.port !== undefined && !/^\d{1,5}$/.test(this.port)) throw new UsageError(`--port must be a port number from 0 to 65535, got "${this.port}"`);
    if (this.port !== undefined && Number(this.port) > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, got ${this.port}`);
    if (this.databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(this.databaseUrl)) throw new UsageError('--database-url must be a postgres:// URL');
    if (this.ownerLink) return this.newOwnerLink();
    if (this.port) process.env.ME_PORT = this.port;
    if (this.host) process.env.ME_HOST = this.host;
    if (this.dataDir) process.env.ME_DATA_DIR = this.dataDir;
    if (this.databaseUrl) process.env.DATABASE_URL = this.databaseUrl;
    // The server's own entry point: config from the environment, signals, the first-start key.
    await import('../../server/main.js');
    await new Promise(() => {}); // runs until a signal stops the process
  }

  private async newOwnerLink() {
    const { defaultDataDir } = await import('../../server/config.js');
    const { OWNER_LINK_FILE, OWNER_LINK_ENDPOINT } = await import('../../server/auth/owner-link.js');
    const dir = this.dataDir ?? process.env.ME_DATA_DIR ?? defaultDataDir();
    let published: { url: string; secret: string };
    try {
      published = JSON.parse(readFileSync(join(dir, OWNER_LINK_FILE), 'utf8')) as typeof published;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES') throw new MeError('FORBIDDEN', `cannot read ${join(dir, OWNER_LINK_FILE)}: run this as the user the server runs as`);
      throw new MeError('NOT_FOUND', `no server is running on the data directory ${dir}`, { data: { hint: 'start one with `me serve` (or pass the --data-dir it uses)' } });
    }
    let res: { status: number; text: string };
    try {
      res = await post(`${published.url}${OWNER_LINK_ENDPOINT}`, { 'content-type': 'application/json' }, JSON.stringify({ secret: published.secret }));
    } catch (err) {
      throw new MeError('NETWORK', `the server on ${dir} (${published.url}) does not answer: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { data: { hint: 'it may have stopped: start it with `me serve`' } });
    }
    const body = JSON.parse(res.text) as { link?: string; error?: string };
    if (!body.link) throw new MeError(res.status === 409 ? 'CONFLICT' : 'FORBIDDEN', body.error ?? `the server answered HTTP ${res.status}`);
    await this.emit({ link: body.link }, () => `Sign in on the web as the owner (one-time link, valid 15 minutes, from this machine only):\n\n  ${body.link}\n`);
    return 0;
  }
}
