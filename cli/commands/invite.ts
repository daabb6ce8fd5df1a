import { Command, Option, UsageError } from 'clipanion';
import { table } from '../util/render.js';
import { ttlDays } from './access.js';
import { MeCommand } from './base.js';
import { checkPath } from './flags.js';

const category = 'Spaces';
const LINK = /^inv\./;

export class InviteCreateCommand extends MeCommand {
  static override paths = [['invite', 'create']];
  static override usage = Command.Usage({
    category,
    description: 'Invite someone to the space by email, or make an invitation link (admins).',
    details:
      'With an email, only a person whose identity provider verified that address can accept (`me invite accept ID`). ' +
      'Without one you get a link secret inv.<secret>, shown once, that anyone signed in can redeem with ' +
      '`me invite accept inv.<secret>` (up to --max-uses times). The invitee gets --level on --tree.',
    examples: [
      ['Invite a colleague to write under /projects', '$0 invite create ana@example.com --tree /projects --level write'],
      ['A read-only link for three people, valid 2 days', '$0 invite create --level read --max-uses 3 --ttl 2d'],
    ],
  });
  email = Option.String({ name: 'email', required: false });
  tree = Option.String('--tree', { description: 'Tree prefix the invitee gets (default: the whole space)' });
  level = Option.String('--level', { description: 'read, write (default) or owner' });
  role = Option.String('--role', { description: 'member (default) or admin' });
  ttl = Option.String('--ttl', { description: 'Validity, e.g. 7d (default), at most 90d' });
  maxUses = Option.String('--max-uses', { description: 'Link invitations: how many people may redeem it (default 1)' });
  static choices = { '--level': ['read', 'write', 'owner'], '--role': ['member', 'admin'] };
  async execute() {
    if (this.level && !['read', 'write', 'owner'].includes(this.level)) throw new UsageError(`--level takes read, write or owner; got "${this.level}"`);
    if (this.role && !['member', 'admin'].includes(this.role)) throw new UsageError(`--role takes member or admin; got "${this.role}"`);
    if (this.tree) checkPath('--tree', this.tree, 'tree');
    const maxUses = this.maxUses === undefined ? undefined : Number(this.maxUses);
    if (maxUses !== undefined && (!Number.isInteger(maxUses) || maxUses < 1)) throw new UsageError(`--max-uses expects a whole number of at least 1, got "${this.maxUses}"`);
    const params = {
      ...(this.email ? { email: this.email } : {}),
      ...(this.tree ? { tree: this.tree } : {}),
      ...(this.level ? { level: this.level } : {}),
      ...(this.role ? { role: this.role } : {}),
      ...(this.ttl ? { ttlDays: ttlDays(this.ttl) } : {}),
      ...(maxUses !== undefined ? { maxUses } : {}),
    };
    const r = (await (await this.client()).call('invite.create', params)) as any;
    await this.emit(r, () =>
      r.link
        ? `${r.link}\n\nThis invitation link is shown once. The invitee runs: me invite accept ${r.link}\nIt expires ${r.expiresAt}.`
        : `Invited ${r.email} to ${r.space} (${r.level} on ${r.tree || '/'}); they run \`me invite accept ${r.id}\` after signing in.`);
  }
}

export class InviteListCommand extends MeCommand {
  static override paths = [['invite', 'list'], ['invite', 'ls']];
  static override usage = Command.Usage({
    category,
    description: "List the space's invitations (admins), or with --pending the ones waiting for you.",
    examples: [['Invitations of the team space', '$0 invite list --space team-notes'], ['Invitations for me', '$0 invite list --pending']],
  });
  pending = Option.Boolean('--pending', false, { description: 'Invitations addressed to your (verified) email' });
  async execute() {
    const r = (await (await this.client()).call(this.pending ? 'invite.pending' : 'invite.list', {})) as { invitations: any[] };
    await this.emit(r, () => table(r.invitations.map((i) => ({ ...i, to: i.email ?? `link (${i.uses}/${i.maxUses})`, state: i.revoked ? 'revoked' : Date.parse(i.expiresAt) < Date.now() ? 'expired' : 'open' })), ['id', 'space', 'to', 'level', 'tree', 'state', ['expiresAt', 'EXPIRES']]));
  }
}

export class InviteRevokeCommand extends MeCommand {
  static override paths = [['invite', 'revoke']];
  static override usage = Command.Usage({ category, description: 'Revoke an invitation (admins).', examples: [['Revoke by id', '$0 invite revoke 0190f3c4-5b6a-7c8d-9e0f-123456789abc']] });
  id = Option.String({ name: 'id' });
  async execute() {
    const r = await (await this.client()).call('invite.revoke', { id: this.id });
    await this.emit(r, () => `Revoked invitation ${this.id}.`);
  }
}

export class InviteAcceptCommand extends MeCommand {
  static override paths = [['invite', 'accept']];
  static override usage = Command.Usage({
    category,
    description: 'Accept an invitation: its id (addressed to your email) or an invitation link inv.<secret>.',
    examples: [['Accept one from `me invite list --pending`', '$0 invite accept 0190f3c4-5b6a-7c8d-9e0f-123456789abc'], ['Redeem a link', '$0 invite accept inv.AbC…']],
  });
  ref = Option.String({ name: 'id|link' });
  decline = Option.Boolean('--decline', false, { description: 'Decline it instead (email invitations)' });
  async execute() {
    if (this.decline && LINK.test(this.ref)) throw new UsageError('a link invitation cannot be declined: just do not redeem it');
    const client = await this.client();
    const op = LINK.test(this.ref) ? 'invite.redeem' : this.decline ? 'invite.decline' : 'invite.accept';
    const r = (await client.call(op, LINK.test(this.ref) ? { link: this.ref } : { id: this.ref })) as any;
    await this.emit(r, () => (this.decline ? 'Declined.' : `Joined ${r.spaceName} (${r.space}) with ${r.level} on ${r.tree || '/'}. Use it with --space ${r.space}.`));
  }
}
