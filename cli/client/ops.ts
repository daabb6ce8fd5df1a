// Type-level map from operation name to its contract, for typed calls. Type-only imports: no runtime
// cost (zod stays unloaded). Operations not listed here are still callable untyped by name.
import type { z } from 'zod';
import type * as access from '../../server/contracts/access.js';
import type * as apiKey from '../../server/contracts/api-key.js';
import type * as memory from '../../server/contracts/memory.js';
import type * as space from '../../server/contracts/space.js';
import type * as user from '../../server/contracts/user.js';

type Contracts = {
  'memory.create': typeof memory.memoryCreate;
  'memory.batchCreate': typeof memory.memoryBatchCreate;
  'memory.get': typeof memory.memoryGet;
  'memory.getByPath': typeof memory.memoryGetByPath;
  'memory.update': typeof memory.memoryUpdate;
  'memory.delete': typeof memory.memoryDelete;
  'memory.deleteByPath': typeof memory.memoryDeleteByPath;
  'memory.deleteTree': typeof memory.memoryDeleteTree;
  'memory.count': typeof memory.memoryCount;
  'memory.tree': typeof memory.memoryTree;
  'memory.move': typeof memory.memoryMove;
  'memory.copy': typeof memory.memoryCopy;
  'memory.search': typeof memory.memorySearch;
  'memory.history': typeof memory.memoryHistory;
  'memory.revert': typeof memory.memoryRevert;
  'space.list': typeof space.spaceList;
  'space.create': typeof space.spaceCreate;
  'space.rename': typeof space.spaceRename;
  'space.delete': typeof space.spaceDelete;
  'grant.set': typeof access.grantSet;
  'grant.remove': typeof access.grantRemove;
  'grant.list': typeof access.grantList;
  'principal.list': typeof access.principalList;
  whoami: typeof user.whoami;
  'apiKey.create': typeof apiKey.apiKeyCreate;
  'apiKey.list': typeof apiKey.apiKeyList;
  'apiKey.get': typeof apiKey.apiKeyGet;
  'apiKey.revoke': typeof apiKey.apiKeyRevoke;
  'serviceAccount.create': typeof apiKey.serviceAccountCreate;
  'serviceAccount.list': typeof apiKey.serviceAccountList;
  'serviceAccount.delete': typeof apiKey.serviceAccountDelete;
};

export type OpName = keyof Contracts;
/** What you pass (the input side of the zod schema: defaults optional, paths as strings). */
export type OpInput<N extends OpName> = z.input<Contracts[N]['input']>;
/** What the server returns. */
export type OpOutput<N extends OpName> = z.output<Contracts[N]['output']>;
