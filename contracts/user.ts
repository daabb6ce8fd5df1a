import { z } from 'zod';
import { defineContract, readOnly, selfAccess } from './define.js';

export const whoami = defineContract({
  name: 'whoami',
  endpoint: 'user',
  summary: 'Who you are and how you are signed in.',
  description: 'Your principal id, kind, name, email, the kind of credential in use, and the spaces you belong to.',
  input: z.object({}),
  output: z.object({
    id: z.string(),
    kind: z.enum(['user', 'service']),
    name: z.string(),
    email: z.string().nullable(),
    credential: z.enum(['apiKey', 'session', 'oauth']),
    scopes: z.array(z.string()).nullable(),
    restricted: z.boolean().describe('Whether the credential is narrowed to some tree prefixes.'),
    spaces: z.array(z.object({ slug: z.string(), name: z.string(), role: z.enum(['member', 'admin']), personal: z.boolean() })),
  }),
  access: selfAccess,
  hints: readOnly,
});

export const userContracts = [whoami];
