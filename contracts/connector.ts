import { z } from 'zod';
import { adminAccess, defineContract, destructive, idempotentWrite, readOnly } from './define.js';
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
  approvedAt: z.string(),
});

export const connectorList = defineContract({
  name: 'connector.list',
  endpoint: 'user',
  summary: 'List the applications you connected (MCP clients, OAuth apps).',
  description: 'List the applications you approved on the consent page, with what they may do and the space they use.',
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

export const connectorSetSpace = defineContract({
  name: 'connector.setSpace',
  endpoint: 'user',
  summary: 'Choose the space an application uses by default.',
  description: 'Set the space a connected application uses when a call names none (the consent page does this); null = your personal space.',
  input: z.object({
    clientId: clientIdSchema,
    space: slugSchema.nullable().describe('A space you belong to, or null.'),
  }),
  output: z.object({ clientId: z.string(), space: z.string().nullable() }),
  access: adminAccess('none', { apiKeys: false }),
  hints: idempotentWrite,
});

export const connectorContracts = [connectorList, connectorRevoke, connectorSetSpace];
