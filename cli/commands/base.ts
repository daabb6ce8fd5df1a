import { Command, Option } from 'clipanion';
import { createClient, type Client } from '../client/index.js';
import { bearerSource, type BearerSource } from '../auth/bearer.js';
import { resolveSettings, type Resolved } from '../util/config.js';

/** Options every command takes, and the plumbing to reach the server and print results. */
export abstract class MeCommand extends Command {
  // Global options: hidden from each usage line (they would drown it) and listed once in the help's global section (help/render.ts).
  server = Option.String('--server', { hidden: true, description: 'Server URL' });
  space = Option.String('--space,-s', { hidden: true, description: 'Space to use' });
  json = Option.Boolean('--json', false, { hidden: true, description: 'Print the result as JSON' });
  yaml = Option.Boolean('--yaml', false, { hidden: true, description: 'Print the result as YAML' });

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
  async emit(value: unknown, human: () => string | Promise<string>): Promise<void> {
    if (this.json) this.context.stdout.write(JSON.stringify(value, null, 2) + '\n');
    else if (this.yaml) {
      const { stringify } = await import('yaml');
      this.context.stdout.write(stringify(value));
    } else {
      const text = await human();
      if (text) this.context.stdout.write(text.endsWith('\n') ? text : text + '\n');
    }
  }

  /** Human notes (progress, hints) go to stderr so stdout stays parseable. */
  note(text: string) {
    this.context.stderr.write(text.endsWith('\n') ? text : text + '\n');
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
