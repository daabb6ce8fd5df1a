import { Command, Option, UsageError } from 'clipanion';
import { createClient, type Client } from '../client/index.js';
import { bearerSource, type BearerSource } from '../auth/bearer.js';
import { resolveSettings, type Resolved } from '../util/config.js';
import { renderResult } from '../util/render.js';

/** Options every command takes, and the plumbing to reach the server and print results. */
export abstract class MeCommand extends Command {
  // Global options: hidden from each usage line (they would drown it) and listed once in GLOBAL_HELP.
  server = Option.String('--server', { hidden: true });
  space = Option.String('--space,-s', { hidden: true });
  json = Option.Boolean('--json', false, { hidden: true });
  yaml = Option.Boolean('--yaml', false, { hidden: true });

  private settingsCache?: Promise<Resolved>;
  settings(): Promise<Resolved> {
    return (this.settingsCache ??= resolveSettings({ server: this.server, space: this.space }));
  }

  private bearerCache?: BearerSource;
  async bearer(): Promise<BearerSource> {
    return (this.bearerCache ??= bearerSource((await this.settings()).server));
  }

  async client(): Promise<Client> {
    const s = await this.settings();
    const b = await this.bearer();
    return createClient({ server: s.server, space: s.space, getToken: () => b.getToken(), onUnauthorized: (t) => b.onUnauthorized(t) });
  }

  /** Prints a result: JSON/YAML when asked, else the human text. */
  async emit(value: unknown, human: () => string): Promise<void> {
    if (this.json && this.yaml) throw new UsageError('pass --json or --yaml, not both');
    if (this.json) this.context.stdout.write(JSON.stringify(value, null, 2) + '\n');
    else if (this.yaml) {
      const { stringify } = await import('yaml');
      this.context.stdout.write(stringify(value));
    } else {
      const text = human();
      if (text) this.context.stdout.write(text.endsWith('\n') ? text : text + '\n');
    }
  }

  /** Calls an operation and prints its result with the default rendering. */
  async callAndEmit(op: string, params: object): Promise<unknown> {
    const client = await this.client();
    const result = await client.call(op, params);
    await this.emit(result, () => renderResult(op, result));
    return result;
  }

  /** Human notes (progress, hints) go to stderr so stdout stays parseable. */
  note(text: string) {
    this.context.stderr.write(text.endsWith('\n') ? text : text + '\n');
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const GLOBAL_HELP = `Options of every command:
  --server URL       Server URL (else ME_SERVER, else the config file, else http://127.0.0.1:3210)
  -s,--space SLUG    Space to use (else ME_SPACE, else the config file's space, else your default space)
  --json | --yaml    Print the result as JSON or YAML (stable shapes: the operation's output)
  -h,--help          This help

Environment: ME_SERVER, ME_SPACE, ME_API_KEY (an API key or personal access token: used instead of \`me login\`).
Config: ~/.config/me/config.yaml (XDG_CONFIG_HOME); exit codes: 0 ok, 1 error, 2 usage.
`;
