import { z } from 'zod';
import { adminAccess, defineContract, destructive, idempotentWrite, readOnly } from './define.js';
import { treeSchema } from './paths.js';
import { spaceArg } from './space.js';

export const levelSchema = z.enum(['read', 'write', 'owner']).describe('read < write < owner (owner may grant).');

export const grantSchema = z.object({
  principal: z.string(),
  principalName: z.string(),
  tree: z.string(),
  level: levelSchema,
});

export const grantSet = defineContract({
  name: 'grant.set',
  endpoint: 'memory',
  summary: 'Give a principal read/write/owner on a tree prefix.',
  description:
    'Give a user or service account access to a tree prefix in the space (and everything below it). ' +
    'Grants add up; setting a grant on the same prefix replaces its level. Adds the principal to the ' +
    'space roster if needed. Requires owner access on that prefix.',
  input: z.object({
    space: spaceArg,
    principal: z.uuid().describe('The principal id (see principal.list or serviceAccount.list).'),
    tree: treeSchema,
    level: levelSchema,
  }),
  output: grantSchema,
  access: adminAccess('member', { level: 'owner' }),
  hints: idempotentWrite,
});

export const grantRemove = defineContract({
  name: 'grant.remove',
  endpoint: 'memory',
  summary: "Remove a principal's grant on a tree prefix.",
  description: 'Remove the grant a principal holds on exactly this tree prefix. Requires owner access on it.',
  input: z.object({ space: spaceArg, principal: z.uuid(), tree: treeSchema }),
  output: z.object({ removed: z.boolean() }),
  access: adminAccess('member', { level: 'owner' }),
  hints: destructive,
});

export const grantList = defineContract({
  name: 'grant.list',
  endpoint: 'memory',
  summary: 'List grants in the space.',
  description: 'List the grants in the space, optionally for one principal.',
  input: z.object({ space: spaceArg, principal: z.uuid().optional() }),
  output: z.object({ grants: z.array(grantSchema) }),
  access: adminAccess('member', { level: 'read', serviceAccounts: true }),
  hints: readOnly,
});

export const principalList = defineContract({
  name: 'principal.list',
  endpoint: 'memory',
  summary: "List the space's roster.",
  description: 'List the users and service accounts that belong to the space, with their roles.',
  input: z.object({ space: spaceArg }),
  output: z.object({
    principals: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(['user', 'service']),
        name: z.string(),
        email: z.string().nullable(),
        role: z.enum(['member', 'admin']),
      }),
    ),
  }),
  access: adminAccess('member', { level: 'read', serviceAccounts: true }),
  hints: readOnly,
});

export const memberSetRole = defineContract({
  name: 'member.setRole',
  endpoint: 'memory',
  summary: 'Make a space member an admin, or a plain member (admins).',
  description: 'Change the roster role of a member of the space. Admins manage the roster and grants; a space always keeps one admin.',
  input: z.object({ space: spaceArg, principal: z.uuid(), role: z.enum(['member', 'admin']) }),
  output: z.object({ principal: z.string(), role: z.enum(['member', 'admin']) }),
  access: adminAccess('admin'),
  hints: idempotentWrite,
});

export const memberRemove = defineContract({
  name: 'member.remove',
  endpoint: 'memory',
  summary: 'Remove a principal from the space, with all their grants (admins).',
  description: 'Take a user or service account off the space roster; their grants in the space go with it. A space always keeps one admin.',
  input: z.object({ space: spaceArg, principal: z.uuid() }),
  output: z.object({ removed: z.boolean() }),
  access: adminAccess('admin'),
  hints: destructive,
});

export const accessContracts = [grantSet, grantRemove, grantList, principalList, memberSetRole, memberRemove];
