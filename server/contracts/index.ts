// Every operation contract, importable without server or database code (the CLI and docs use it).
import { accessContracts } from './access.js';
import { apiKeyContracts } from './api-key.js';
import { connectorContracts } from './connector.js';
import { contextContracts } from './context.js';
import type { Contract } from './define.js';
import { embeddingContracts } from './embeddings.js';
import { inviteContracts } from './invite.js';
import { memoryContracts } from './memory.js';
import { spaceContracts } from './space.js';
import { userContracts } from './user.js';

export const contracts: readonly Contract[] = [
  ...memoryContracts, ...spaceContracts, ...accessContracts, ...userContracts, ...apiKeyContracts, ...contextContracts, ...connectorContracts,
  ...embeddingContracts, ...inviteContracts,
];
export type { Contract } from './define.js';
