import { z } from 'zod';
import { adminAccess, defineContract, destructive, idempotentWrite, readOnly } from './define.js';
import { treeSchema } from './paths.js';
import { slugSchema } from './space.js';
import { text } from './text.js';

// Connected applications: third-party OAuth clients (MCP connectors such as claude.ai or Claude
// Code) a user has approved on the consent page.

const clientIdSchema = text({ min: 1, max: 200 }).describe('The OAuth client id (see connector.list).');

export const connectorSchema = z.object({
  clientId: z.string(),
  name: z.string().nullable().describe('The name the application registered with.'),
  redirectHosts: z.array(z.string()).describe('Where it receives sign-ins (a localhost host = an app on that computer).'),
  scopes: z.array(z.string()).describe('What you allowed.'),
  space: z.string().nullable().describe('The space its calls use when they name none (null = your personal space).'),
  tree: z.string().nullable().describe('Bound: the tree prefix it is limited to in that space ("/" = all of it); null = not bound.'),
  level: z.enum(['read', 'write']).nullable().describe('Bound: read-only or read/write within the tree; null = not bound (it may name any space you belong to).'),
  approvedAt: z.string(),
});

export const connectorList = defineContract({
  name: 'connector.list',
  endpoint: 'user',
  summary: 'List the applications you connected (MCP clients, OAuth apps).',
  description: 'List the applications you approved on the consent page, with what they may do, the space they use and their boundary.',
  input: z.object({}),
  output: z.object({ connectors: z.array(connectorSchema) }),
  access: adminAccess('none', { apiKeys: false }),
  hints: readOnly,
});

export const connectorRevoke = defineContract({
  name: 'connector.revoke',
  endpoint: 'user',
  summary: "Disconnect an application: forget its approval and revoke its tokens.",
  description:
    'Disconnect an application: its approval is forgotten and its tokens are revoked. The hosted /mcp endpoint ' +
    'refuses it within seconds; to use it again, the application must ask for your consent again.',
  input: z.object({ clientId: clientIdSchema }),
  output: z.object({ clientId: z.string(), revoked: z.literal(true), tokens: z.number().int().describe('Tokens revoked.') }),
  access: adminAccess('none', { apiKeys: false }),
  hints: destructive,
});

export const connectorSetBoundary = defineContract({
  name: 'connector.setBoundary',
  endpoint: 'user',
  summary: "Bind an application to a space, a tree and read or read/write (or unbind it).",
  description:
    'Set what a connected application may reach (the consent page does this; /connections changes it). With a `level`, ' +
    'its tokens are restricted to `tree` in `space` at that level, exactly like a restricted API key (never beyond your own ' +
    'grants), and calls naming another space are refused. Without a level, `space` is only the default for calls that name ' +
    'none (null = your personal space) and it may name any space you belong to. Takes effect within seconds.',
  input: z.object({
    clientId: clientIdSchema,
    space: slugSchema.nullable().describe('A space you belong to; null = your personal space, unbound.'),
    tree: treeSchema.optional().describe('Bound: the tree prefix it may use (default "/": the whole space).'),
    level: z.enum(['read', 'write']).nullable().optional().describe('read or write binds it; omitted or null leaves it unbound.'),
  }),
  output: connectorSchema.pick({ clientId: true, space: true, tree: true, level: true }),
  access: adminAccess('none', { apiKeys: false }),
  hints: idempotentWrite,
});

export const connectorContracts = [connectorList, connectorRevoke, connectorSetBoundary];
