import { contracts } from '../contracts/index.js';
import type { Operation } from './operations.js';
import * as access from './access/handlers.js';
import * as bulk from './memory/bulk.js';
import * as history from './memory/history.js';
import * as read from './memory/read.js';
import * as trash from './memory/trash.js';
import * as write from './memory/write.js';
import * as search from './search/search.js';
import * as spaces from './spaces/handlers.js';
import * as users from './users/handlers.js';
import * as context from './users/context.js';
import * as connectors from './users/connectors.js';
import * as embeddings from './embeddings/status.js';
import * as invites from './invites/handlers.js';

/** Every operation the server carries out, by name. Each contract has exactly one handler. */
export const operations: ReadonlyMap<string, Operation> = (() => {
  const modules = [access, bulk, history, trash, read, write, search, spaces, users, context, connectors, embeddings, invites] as Record<string, unknown>[];
  const byName = new Map<string, Operation>();
  for (const mod of modules) {
    for (const op of Object.values(mod) as Operation[]) {
      if (!op || typeof op !== 'object' || !('contract' in op) || !('handler' in op)) continue;
      if (byName.has(op.contract.name)) throw new Error(`operation ${op.contract.name} is implemented twice`);
      byName.set(op.contract.name, op);
    }
  }
  const missing = contracts.filter((c) => !byName.has(c.name)).map((c) => c.name);
  if (missing.length) throw new Error(`operations without a handler: ${missing.join(', ')}`);
  return byName;
})();
