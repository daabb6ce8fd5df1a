import { Command, Option, UsageError } from 'clipanion';
import type { Client } from '../client/index.js';
import { MeError } from '../client/errors.js';
import { table } from '../util/render.js';
import { MeCommand, UUID } from './base.js';
import { checkPath } from './flags.js';

/** A principal given by id, name or email; resolved against the space roster. */
async function principalId(client: Client, who: string): Promise<string> {
  if (UUID.test(who)) return who;
  const roster = (await client.call('principal.list', {})) as { principals: { id: string; name: string; email: string | null }[] };
  const hits = roster.principals.filter((p) => p.name === who || p.email === who);
  if (hits.length === 1) return hits[0]!.id;
  const sas = (await client.call('serviceAccount.list', {}).catch(() => ({ serviceAccounts: [] }))) as { serviceAccounts: { id: string; name: string }[] };
  const sa = sas.serviceAccounts.filter((s) => s.name === who);
  if (hits.length === 0 && sa.length === 1) return sa[0]!.id;
  if (hits.length > 1 || sa.length > 1) throw new MeError('CONFLICT', `"${who}" matches several principals; pass the id instead`);
  throw new MeError('NOT_FOUND', `no principal named "${who}" in this space or among your service accounts`, {
    data: { hint: 'see the roster with `me grant list`; a service account needs a grant in the space before it is listed here' },
  });
}

const category = 'Access';

export class GrantSetCommand extends MeCommand {
  static override paths = [['grant', 'set']];
  static override usage = Command.Usage({
    category,
    description: 'Give a user or service account read/write/owner on a tree prefix.',
    details: 'The principal is an id, a name or an email. Levels: read < write < owner (owner may grant).',
    examples: [['Let the agent write to /projects/alpha', '$0 grant set ci-agent /projects/alpha write']],
  });
  who = Option.String({ name: 'principal' });
  tree = Option.String({ name: 'tree' });
  level = Option.String({ name: 'level' });
  async execute() {
    if (!['read', 'write', 'owner'].includes(this.level)) throw new UsageError(`<level> is read, write or owner; got "${this.level}"`);
    checkPath('<tree>', this.tree, 'tree');
    const client = await this.client();
    const r = await client.call('grant.set', { principal: await principalId(client, this.who), tree: this.tree, level: this.level as 'read' });
    await this.emit(r, () => `Granted ${(r as any).level} on ${(r as any).tree} to ${(r as any).principalName}.`);
  }
}

export class GrantRemoveCommand extends MeCommand {
  static override paths = [['grant', 'remove'], ['grant', 'rm']];
  static override usage = Command.Usage({ category, description: "Remove a principal's grant on exactly this tree prefix.", examples: [['Revoke the agent', '$0 grant remove ci-agent /projects/alpha']] });
  who = Option.String({ name: 'principal' });
  tree = Option.String({ name: 'tree' });
  async execute() {
    checkPath('<tree>', this.tree, 'tree');
    const client = await this.client();
    const r = (await client.call('grant.remove', { principal: await principalId(client, this.who), tree: this.tree })) as { removed: boolean };
    await this.emit(r, () => (r.removed ? 'Grant removed.' : 'There was no grant on exactly that prefix.'));
  }
}

export class GrantListCommand extends MeCommand {
  static override paths = [['grant', 'list'], ['grant', 'ls']];
  static override usage = Command.Usage({ category, description: 'List the grants in the space (optionally of one principal).', examples: [['All grants', '$0 grant list'], ['One principal', '$0 grant list ci-agent --json']] });
  who = Option.String({ name: 'principal', required: false });
  async execute() {
    const client = await this.client();
    const r = (await client.call('grant.list', this.who ? { principal: await principalId(client, this.who) } : {})) as { grants: any[] };
    await this.emit(r, () => table(r.grants, [['principalName', 'PRINCIPAL'], 'tree', 'level', ['principal', 'PRINCIPAL ID']]));
  }
}

/** `30d`, `12w`, `1y`, `90` (days) → days. */
export function ttlDays(ttl: string): number {
  const m = /^(\d+)\s*([dwmy]?)$/i.exec(ttl.trim());
  if (!m) throw new UsageError(`--ttl expects a duration such as 30d, 12w, 6m or 1y; got "${ttl}"`);
  const n = Number(m[1]);
  const unit = (m[2] || 'd').toLowerCase();
  return n * ({ d: 1, w: 7, m: 30, y: 365 } as Record<string, number>)[unit]!;
}

/** `/projects/alpha:write` (or `space/tree:level` with --space) → a restriction rule. */
export function allowRule(spec: string, space: string | undefined) {
  const at = spec.lastIndexOf(':');
  const level = at > 0 ? spec.slice(at + 1) : '';
  if (!['read', 'write', 'owner'].includes(level)) throw new UsageError(`--allow expects TREE:LEVEL with LEVEL read, write or owner, e.g. /projects/alpha:write; got "${spec}"`);
  checkPath('--allow', spec.slice(0, at), 'tree');
  return { ...(space ? { space } : {}), tree: spec.slice(0, at), level: level as 'read' | 'write' | 'owner' };
}

export class ApiKeyCreateCommand extends MeCommand {
  static override paths = [['apikey', 'create']];
  static override usage = Command.Usage({
    category,
    description: 'Create an API key: a personal access token (--self) or a key for a service account (--service).',
    details:
      'The key (me.<id>.<secret>) is printed once. --service NAME creates the service account if you have none by that ' +
      'name (grant it access with `me grant set NAME TREE LEVEL`). --allow narrows the key to tree prefixes (repeatable; ' +
      'with --space the rule applies to that space only); it never exceeds the holder\'s own grants.',
    examples: [
      ['A read-only token for yourself, valid 30 days', '$0 apikey create laptop --self --allow /:read --ttl 30d'],
      ['A key for an agent limited to one project', '$0 apikey create ci --service ci-agent --allow /projects/alpha:write'],
    ],
  });
  name = Option.String({ name: 'name' });
  self = Option.Boolean('--self', false, { description: 'A personal access token acting as you' });
  service = Option.String('--service', { description: 'Acts as this service account (created if missing)' });
  allow = Option.Array('--allow', { description: 'TREE:LEVEL the key is limited to (repeatable)' });
  ttl = Option.String('--ttl', { description: 'Lifetime, e.g. 30d, 12w, 1y' });
  async execute() {
    if (this.self === Boolean(this.service)) throw new UsageError('pass exactly one of --self (a token acting as you) or --service NAME');
    // Everything typed is checked before the first request (which may create the service account).
    const restrict = this.allow?.length ? this.allow.map((a) => allowRule(a, this.space ?? undefined)) : undefined;
    const days = this.ttl ? ttlDays(this.ttl) : undefined;
    const client = await this.client();
    let principal: string | undefined;
    if (this.service) {
      const list = (await client.call('serviceAccount.list', {})) as { serviceAccounts: { id: string; name: string }[] };
      const found = list.serviceAccounts.filter((s) => s.name === this.service);
      if (found.length > 1) throw new MeError('CONFLICT', `you own several service accounts named "${this.service}"`);
      principal = found[0]?.id ?? ((await client.call('serviceAccount.create', { name: this.service })) as { id: string }).id;
      if (!found.length) this.note(`Created service account ${this.service} (${principal}); give it access with \`me grant set ${this.service} TREE LEVEL\`.`);
    }
    const r = (await client.call('apiKey.create', {
      name: this.name,
      ...(principal ? { principal } : {}),
      ...(restrict ? { restrict } : {}),
      ...(days ? { ttlDays: days } : {}),
    })) as any;
    await this.emit(r, () => `${r.key}\n\nThis key is shown once: store it now. Use it with ME_API_KEY=<key>.${r.expiresAt ? `\nExpires ${r.expiresAt}.` : ''}`);
  }
}

export class ApiKeyListCommand extends MeCommand {
  static override paths = [['apikey', 'list'], ['apikey', 'ls']];
  static override usage = Command.Usage({ category, description: "List your keys and your service accounts' keys (never the secrets).", examples: [['All keys', '$0 apikey list']] });
  async execute() {
    const r = (await (await this.client()).call('apiKey.list', {})) as { keys: any[] };
    await this.emit(r, () => table(r.keys.map((k) => ({ ...k, restriction: k.restriction ? k.restriction.map((x: any) => `${x.space ? x.space + ':' : ''}${x.tree || '/'}:${x.level}`).join(' ') : '' })), ['id', 'name', ['principalName', 'ACTS AS'], 'prefix', 'restriction', ['expiresAt', 'EXPIRES'], ['lastUsedAt', 'LAST USED']]));
  }
}

export class ApiKeyRevokeCommand extends MeCommand {
  static override paths = [['apikey', 'revoke']];
  static override usage = Command.Usage({ category, description: 'Revoke an API key at once.', examples: [['Revoke by id', '$0 apikey revoke 0190f3c4-5b6a-7c8d-9e0f-123456789abc']] });
  id = Option.String({ name: 'id' });
  async execute() {
    const r = await (await this.client()).call('apiKey.revoke', { id: this.id });
    await this.emit(r, () => `Revoked API key ${this.id}; it stops working at once.`);
  }
}
