import { Command, Option, UsageError } from 'clipanion';
import { readConfig, writeConfig } from '../util/config.js';
import { plural, table } from '../util/render.js';
import { MeCommand } from './base.js';

const category = 'Spaces';

export class SpaceListCommand extends MeCommand {
  static override paths = [['space', 'list'], ['space', 'ls']];
  static override usage = Command.Usage({ category, description: 'List the spaces you belong to.', examples: [['Your spaces', '$0 space list']] });
  async execute() {
    const { space: current } = await this.settings();
    const r = (await (await this.client()).call('space.list', {})) as { spaces: any[] };
    await this.emit(r, () => table(r.spaces.map((s) => ({ ...s, slug: s.slug === current ? `${s.slug} *` : s.slug, personal: s.personal ? 'yes' : '' })), ['slug', 'name', 'role', 'personal']));
  }
}

export class SpaceCreateCommand extends MeCommand {
  static override paths = [['space', 'create']];
  static override usage = Command.Usage({ category, description: 'Create a space (you become its admin).', examples: [['A team space', '$0 space create team-notes --name "Team notes"']] });
  slug = Option.String({ name: 'slug' });
  name = Option.String('--name', { description: 'Display name (defaults to the slug)' });
  async execute() {
    const r = await (await this.client()).call('space.create', { slug: this.slug, ...(this.name ? { name: this.name } : {}) });
    await this.emit(r, () => `Created space ${(r as any).slug}. Use it with \`me space use ${(r as any).slug}\` or --space ${(r as any).slug}.`);
  }
}

export class SpaceRenameCommand extends MeCommand {
  static override paths = [['space', 'rename']];
  static override usage = Command.Usage({ category, description: "Change a space's slug and/or display name (admins).", examples: [['New slug and name', '$0 space rename team-notes --slug team --name "The team"']] });
  target = Option.String({ name: 'slug' });
  newSlug = Option.String('--slug', { description: 'The new slug' });
  name = Option.String('--name', { description: 'The new display name' });
  async execute() {
    if (!this.newSlug && !this.name) throw new UsageError('pass --slug NEW and/or --name "New name"');
    const r = (await (await this.client()).call('space.rename', { space: this.target, ...(this.newSlug ? { slug: this.newSlug } : {}), ...(this.name ? { name: this.name } : {}) })) as { slug: string; name: string };
    // The config file's default space follows the rename, so the next command does not look for the old slug.
    let config: string | undefined;
    if (r.slug !== this.target && (await readConfig()).space === this.target) config = await writeConfig({ space: r.slug });
    await this.emit({ ...r, ...(config ? { config } : {}) }, () =>
      `Renamed space ${this.target}${r.slug !== this.target ? ` to ${r.slug}` : ''} ("${r.name}").${config ? ` Your default space is now ${r.slug} (${config}).` : ''}` +
      (r.slug !== this.target && process.env.ME_SPACE === this.target ? `\nME_SPACE is still set to ${this.target}: update it.` : ''));
  }
}

export class SpaceDeleteCommand extends MeCommand {
  static override paths = [['space', 'delete']];
  static override usage = Command.Usage({
    category,
    description: 'Delete a space and every memory in it (admins).',
    details: 'At a terminal it says how many memories go with it and asks you to type the slug again; --yes skips that, and without a terminal --yes is required.',
    examples: [['Delete without a prompt', '$0 space delete scratch --yes']],
  });
  target = Option.String({ name: 'slug' });
  yes = Option.Boolean('--yes,-y', false, { description: 'Do not ask for confirmation' });
  async execute() {
    if (!this.yes && !(this.context.stdin as { isTTY?: boolean }).isTTY) throw new UsageError(`deleting a space needs confirmation: pass --yes (no terminal to ask on)`);
    const client = await this.client();
    if (!this.yes) {
      const { count } = (await client.withSpace(this.target).call('memory.count', {})) as { count: number };
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: this.context.stdin, output: this.context.stderr });
      this.note(`Space ${this.target} holds ${plural(count, 'memory', 'memories')}; deleting it removes them, their history and every grant, and cannot be undone.`);
      const answer = await rl.question(`Type "${this.target}" to delete it: `);
      rl.close();
      if (answer.trim() !== this.target) {
        this.note('Not deleted.');
        return 1;
      }
    }
    const r = (await client.call('space.delete', { space: this.target, confirm: this.target })) as { slug: string; memories: number };
    let config: string | undefined;
    if ((await readConfig()).space === this.target) config = await writeConfig({ space: undefined });
    await this.emit(r, () => `Deleted space ${r.slug} and its ${plural(r.memories, 'memory', 'memories')}.${config ? ` It was your default space: commands now use your personal space (${config}).` : ''}`);
    return 0;
  }
}

export class SpaceUseCommand extends MeCommand {
  static override paths = [['space', 'use']];
  static override usage = Command.Usage({ category, description: 'Make a space the default for every command (saved in the config file).', examples: [['Work in team-notes from now on', '$0 space use team-notes']] });
  target = Option.String({ name: 'slug' });
  async execute() {
    const r = (await (await this.client()).call('space.list', {})) as { spaces: { slug: string }[] };
    if (!r.spaces.some((s) => s.slug === this.target)) {
      const { MeError } = await import('../client/errors.js');
      throw new MeError('NOT_FOUND', `space "${this.target}" not found among your spaces (${r.spaces.map((s) => s.slug).join(', ') || 'none'})`);
    }
    const file = await writeConfig({ space: this.target });
    await this.emit({ space: this.target, config: file }, () => `Now using space ${this.target} (saved in ${file}).`);
  }
}
