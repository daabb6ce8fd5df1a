import { z } from 'zod';
import { defineContract, readOnly, selfAccess } from './define.js';
import { levelSchema } from './access.js';
import { text } from './text.js';

const spaceSummary = z.object({
  slug: z.string(),
  name: z.string(),
  personal: z.boolean(),
  role: z.enum(['member', 'admin']).describe('Your role in it.'),
});

export const context = defineContract({
  name: 'context',
  endpoint: 'memory',
  summary: 'Who you are, your space, and what you may do there.',
  description:
    'Call first, and when a call is refused: who you are, the space calls go to without `space` (and why), ' +
    'the trees you may read or write there, whether you may write, this connection\'s boundary, your other spaces.',
  input: z.object({
    space: text({ max: 100 }).optional().describe('Describe this space instead of the connection\'s default one.'),
  }),
  output: z.object({
    principal: z.object({
      id: z.string(),
      kind: z.enum(['user', 'service']),
      name: z.string(),
      email: z.string().nullable(),
    }),
    credential: z.enum(['apiKey', 'session', 'oauth']),
    scopes: z.array(z.string()).nullable().describe('The OAuth scopes of this connection; null = not scope-limited.'),
    canWrite: z.boolean().describe('Whether this connection may change memories at all (scope memory:write, and a restriction that allows write).'),
    restriction: z
      .array(z.object({ space: z.string().nullable(), tree: z.string(), level: levelSchema }))
      .nullable()
      .describe('This credential\'s own boundary (a restricted API key, or a connection bound at consent): you can never act outside it. null = none.'),
    space: spaceSummary.nullable().describe('The space calls go to without a `space` argument; null if none could be chosen.'),
    spaceSource: z.enum(['argument', 'connection', 'personal', 'only', 'none']).describe('Why that space was chosen.'),
    spaceProblem: z.string().nullable().describe('Why no space could be chosen, and how to fix it.'),
    access: z
      .array(z.object({ tree: z.string(), level: levelSchema }))
      .describe('Your effective access in the space: tree prefixes (with everything below) and levels.'),
    spaces: z.array(spaceSummary).describe('Every space you belong to.'),
  }),
  access: selfAccess,
  hints: readOnly,
  tool: true,
});

export const contextContracts = [context];
