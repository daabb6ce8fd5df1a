// Every operation contract, importable without server or database code (the CLI, web pages and docs use it).
import type { z } from 'zod';
import { accessContracts } from './access.js';
import { apiKeyContracts } from './api-key.js';
import { connectorContracts } from './connector.js';
import { contextContracts } from './context.js';
import { embeddingContracts } from './embeddings.js';
import { historyContracts } from './history.js';
import { inviteContracts } from './invite.js';
import { memoryContracts } from './memory.js';
import { spaceContracts } from './space.js';
import { userContracts } from './user.js';

export const contracts = [
  ...memoryContracts, ...historyContracts, ...spaceContracts, ...accessContracts, ...userContracts, ...apiKeyContracts, ...contextContracts, ...connectorContracts,
  ...embeddingContracts, ...inviteContracts,
] as const;
export type { Contract } from './define.js';

/** Every contract, as a union: the typed operation map below is derived from it, never kept by hand. */
export type AnyContract = (typeof contracts)[number];
export type OpName = AnyContract['name'];
export type ContractOf<N extends OpName> = Extract<AnyContract, { name: N }>;
/** What a caller passes (the input side of the zod schema: defaults optional, paths as strings). */
export type OpInput<N extends OpName> = z.input<ContractOf<N>['input']>;
/** What the server returns. */
export type OpOutput<N extends OpName> = z.output<ContractOf<N>['output']>;
