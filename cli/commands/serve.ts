import { Command, Option } from 'clipanion';
import { MeCommand } from './base.js';

export class ServeCommand extends MeCommand {
  static override paths = [['serve']];
  static override usage = Command.Usage({
    category: 'General',
    description: 'Run the Memory Engine server (embedded database by default).',
    details:
      'Same as `npm start`: the embedded Postgres under the data directory unless DATABASE_URL (or --database-url) ' +
      'is set. On the first start it creates the owner, the space "default" and prints an API key once. Every ' +
      'server environment variable applies (ME_PORT, ME_HOST, ME_DATA_DIR, ME_PUBLIC_URL, ME_EMBEDDING_*, …).',
    examples: [
      ['Run locally on the default port 3210', '$0 serve'],
      ['Another port and data directory', '$0 serve --port 4000 --data-dir ./me-data'],
    ],
  });
  port = Option.String('--port,-p', { description: 'Port to listen on (ME_PORT, default 3210)' });
  host = Option.String('--host', { description: 'Address to bind (ME_HOST, default 127.0.0.1)' });
  dataDir = Option.String('--data-dir', { description: 'Where the embedded database and keys live (ME_DATA_DIR)' });
  databaseUrl = Option.String('--database-url', { description: 'Use this Postgres instead of the embedded one (DATABASE_URL)' });

  async execute() {
    if (this.port) process.env.ME_PORT = this.port;
    if (this.host) process.env.ME_HOST = this.host;
    if (this.dataDir) process.env.ME_DATA_DIR = this.dataDir;
    if (this.databaseUrl) process.env.DATABASE_URL = this.databaseUrl;
    // The server's own entry point: config from the environment, signals, the first-start key.
    await import('../../server/main.js');
    await new Promise(() => {}); // runs until a signal stops the process
  }
}
