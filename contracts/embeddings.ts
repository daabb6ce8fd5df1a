import { z } from 'zod';
import { defineContract, memoryAccess, readOnly } from './define.js';
import { spaceArg } from './space.js';

export const embeddingsStatus = defineContract({
  name: 'embeddings.status',
  endpoint: 'memory',
  summary: 'Whether semantic search is available, and how many memories wait for embeddings.',
  description:
    'Reports the embedding setup (provider configured, pgvector present, model, dimensions) and, for the ' +
    'memories of the space you can read, how many wait for their embedding (pending) and how many of those ' +
    'failed at least once (failing, with the latest error). Keyword search finds pending memories already; ' +
    'semantic search finds them once embedded.',
  input: z.object({
    space: spaceArg,
  }),
  output: z.object({
    available: z.boolean().describe('Semantic and hybrid search can run here (provider configured and pgvector installed).'),
    configured: z.boolean().describe('An embedding provider is configured (ME_EMBEDDING_URL, ME_EMBEDDING_MODEL, ME_EMBEDDING_DIMENSIONS).'),
    vector: z.boolean().describe('Postgres has the pgvector extension.'),
    model: z.string().nullable(),
    dimensions: z.number().int().nullable(),
    pending: z.number().int().describe('Memories waiting for their embedding.'),
    failing: z.number().int().describe('Pending memories whose last attempt failed (they are retried with backoff).'),
    lastError: z.string().nullable().describe('The most recent failure, if any.'),
    lastErrorAt: z.string().nullable(),
  }),
  access: memoryAccess('read'),
  hints: readOnly,
});

export const embeddingContracts = [embeddingsStatus];
