import { z } from 'zod';
import { levelSchema } from './access.js';
import { additive, adminAccess, defineContract, destructive, idempotentWrite, readOnly } from './define.js';
import { treeSchema } from './paths.js';
import { spaceArg } from './space.js';
import { storable } from './text.js';

export const invitationSchema = z.object({
  id: z.string(),
  space: z.string().describe('Slug of the space the invitation is to.'),
  spaceName: z.string(),
  kind: z.enum(['email', 'link']),
  email: z.string().nullable().describe('For an email invitation: who it is for.'),
  role: z.enum(['member', 'admin']),
  tree: z.string(),
  level: levelSchema,
  maxUses: z.number().int(),
  uses: z.number().int(),
  expiresAt: z.string(),
  revoked: z.boolean(),
  createdAt: z.string(),
});

const grantOutput = z.object({
  space: z.string(), spaceName: z.string(), role: z.enum(['member', 'admin']), tree: z.string(), level: levelSchema,
});

export const inviteCreate = defineContract({
  name: 'invite.create',
  endpoint: 'user',
  summary: 'Invite someone to a space by email, or make an invitation link (admins).',
  description:
    'Invite a person to a space you administer. With `email`, only a signed-in user whose identity provider ' +
    'has verified that address can accept it (invite.pending / invite.accept). Without `email`, you get a link ' +
    'secret `inv.<secret>` (shown once) that anyone signed in can redeem with invite.redeem, up to `maxUses` ' +
    'times. Either way the invitee becomes a member with `level` on `tree`, until `ttlDays` pass or you revoke it.',
  input: z.object({
    space: spaceArg,
    email: z.email().max(320).check(storable).optional().describe('Who the invitation is for; omit for a link invitation.'),
    tree: treeSchema.default('').describe('The tree prefix the invitee gets access to (default: all of it).'),
    level: levelSchema.default('write'),
    role: z.enum(['member', 'admin']).default('member').describe('admin: may also manage the roster, grants and invitations.'),
    ttlDays: z.number().int().min(1).max(90).default(7),
    maxUses: z.number().int().min(1).max(1000).default(1).describe('Link invitations only: how many people may redeem it.'),
  }),
  output: invitationSchema.extend({ link: z.string().nullable().describe('For a link invitation: inv.<secret>. Shown once.') }),
  access: adminAccess('admin'),
  hints: additive,
});

export const inviteList = defineContract({
  name: 'invite.list',
  endpoint: 'user',
  summary: "List a space's invitations (admins).",
  description: 'List the invitations of a space you administer, newest first, including used, expired and revoked ones.',
  input: z.object({ space: spaceArg }),
  output: z.object({ invitations: z.array(invitationSchema) }),
  access: adminAccess('admin'),
  hints: readOnly,
});

export const inviteRevoke = defineContract({
  name: 'invite.revoke',
  endpoint: 'user',
  summary: 'Revoke an invitation (admins).',
  description: 'Revoke an invitation of a space you administer: it can no longer be accepted or redeemed. Access already given stays.',
  input: z.object({ space: spaceArg, id: z.uuid() }),
  output: z.object({ id: z.string(), revoked: z.literal(true) }),
  access: adminAccess('admin'),
  hints: destructive,
});

export const invitePending = defineContract({
  name: 'invite.pending',
  endpoint: 'user',
  summary: 'Invitations waiting for you.',
  description: 'List the open invitations addressed to your email address (it must be verified by your identity provider).',
  input: z.object({}),
  output: z.object({ invitations: z.array(invitationSchema) }),
  access: adminAccess('none'),
  hints: readOnly,
});

export const inviteAccept = defineContract({
  name: 'invite.accept',
  endpoint: 'user',
  summary: 'Accept an invitation addressed to your email.',
  description: 'Join the space of an invitation addressed to your verified email address (see invite.pending).',
  input: z.object({ id: z.uuid() }),
  output: grantOutput,
  access: adminAccess('none'),
  hints: idempotentWrite,
});

export const inviteDecline = defineContract({
  name: 'invite.decline',
  endpoint: 'user',
  summary: 'Decline an invitation addressed to your email.',
  description: 'Decline an invitation addressed to your verified email; it disappears from invite.pending.',
  input: z.object({ id: z.uuid() }),
  output: z.object({ id: z.string(), declined: z.literal(true) }),
  access: adminAccess('none'),
  hints: idempotentWrite,
});

export const inviteRedeem = defineContract({
  name: 'invite.redeem',
  endpoint: 'user',
  summary: 'Join a space with an invitation link (inv.<secret>).',
  description: 'Redeem an invitation link someone gave you (inv.<secret>): you join its space with the access it grants.',
  input: z.object({ link: z.string().regex(/^inv\.[A-Za-z0-9_-]{43}$/, 'an invitation link looks like inv.<43 characters>') }),
  output: grantOutput,
  access: adminAccess('none'),
  hints: idempotentWrite,
});

export const inviteContracts = [inviteCreate, inviteList, inviteRevoke, invitePending, inviteAccept, inviteDecline, inviteRedeem];
