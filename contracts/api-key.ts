import { z } from 'zod';
import { additive, adminAccess, defineContract, destructive, readOnly } from './define.js';
import { levelSchema } from './access.js';
import { treeSchema } from './paths.js';
import { text } from './text.js';

export const restrictionSchema = z
  .array(
    z.object({
      space: text({ max: 100 }).optional().describe('Space slug this rule applies to (all spaces when absent).'),
      tree: treeSchema,
      level: levelSchema,
    }),
  )
  .min(1)
  .max(50)
  .describe('Limit the key to these tree prefixes at most at these levels; it never exceeds the holder\'s own grants.');

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  principal: z.string(),
  principalName: z.string(),
  prefix: z.string().describe('The public part of the key (me.<lookup>), to recognise it.'),
  restriction: z.array(z.object({ space: z.string().nullable(), tree: z.string(), level: levelSchema })).nullable(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
});

export const apiKeyCreate = defineContract({
  name: 'apiKey.create',
  endpoint: 'user',
  summary: 'Create an API key for yourself or one of your service accounts.',
  description:
    'Create an API key (me.<id>.<secret>). The secret is shown once, in this response only. Without ' +
    '`principal` the key acts as you (a personal access token); with a service-account id it acts as that ' +
    'agent. `restrict` narrows it to tree prefixes and levels; `ttlDays` makes it expire.',
  input: z.object({
    name: text({ min: 1, max: 200 }).describe('What the key is for, e.g. "laptop agent".'),
    principal: z.uuid().optional().describe('A service account you own; yourself when absent.'),
    restrict: restrictionSchema.optional(),
    ttlDays: z.number().int().min(1).max(3650).optional().describe('Expire after this many days.'),
  }),
  output: apiKeySchema.extend({ key: z.string().describe('The full key. Store it now: it is not shown again.') }),
  access: adminAccess('none', { apiKeys: false }),
  hints: additive,
});

export const apiKeyList = defineContract({
  name: 'apiKey.list',
  endpoint: 'user',
  summary: 'List your keys and your service accounts\' keys.',
  description: 'List API keys held by you or by service accounts you own (never the secrets).',
  input: z.object({ principal: z.uuid().optional() }),
  output: z.object({ keys: z.array(apiKeySchema) }),
  access: adminAccess('none', { serviceAccounts: true }),
  hints: readOnly,
});

export const apiKeyGet = defineContract({
  name: 'apiKey.get',
  endpoint: 'user',
  summary: 'Show one API key.',
  description: 'Show one of your keys (or a key of a service account you own) by id.',
  input: z.object({ id: z.uuid() }),
  output: apiKeySchema,
  access: adminAccess('none', { serviceAccounts: true }),
  hints: readOnly,
});

export const apiKeyRevoke = defineContract({
  name: 'apiKey.revoke',
  endpoint: 'user',
  summary: 'Revoke an API key.',
  description: 'Revoke a key at once; requests with it fail from then on.',
  input: z.object({ id: z.uuid() }),
  output: z.object({ id: z.string(), revoked: z.literal(true) }),
  access: adminAccess('none', { apiKeys: false }),
  hints: destructive,
});

export const serviceAccountSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });

export const serviceAccountCreate = defineContract({
  name: 'serviceAccount.create',
  endpoint: 'user',
  summary: 'Create a service account (an agent identity).',
  description: 'Create a service account you own. Grant it access with grant.set, then give it a key with apiKey.create.',
  input: z.object({ name: text({ min: 1, max: 200 }) }),
  output: serviceAccountSchema,
  access: adminAccess('none', { apiKeys: false }),
  hints: additive,
});

export const serviceAccountList = defineContract({
  name: 'serviceAccount.list',
  endpoint: 'user',
  summary: 'List your service accounts.',
  description: 'List the service accounts you own.',
  input: z.object({}),
  output: z.object({ serviceAccounts: z.array(serviceAccountSchema) }),
  access: adminAccess('none'),
  hints: readOnly,
});

export const serviceAccountDelete = defineContract({
  name: 'serviceAccount.delete',
  endpoint: 'user',
  summary: 'Delete a service account, its keys and grants.',
  description: 'Delete a service account you own; its keys stop working and its grants go.',
  input: z.object({ id: z.uuid() }),
  output: z.object({ id: z.string(), deleted: z.literal(true) }),
  access: adminAccess('none', { apiKeys: false }),
  hints: destructive,
});

export const apiKeyContracts = [
  apiKeyCreate, apiKeyList, apiKeyGet, apiKeyRevoke, serviceAccountCreate, serviceAccountList, serviceAccountDelete,
];
