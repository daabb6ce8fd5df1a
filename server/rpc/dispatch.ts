import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError, type Reason } from '../../contracts/errors.js';
import { hasScope, type Contract } from '../../contracts/define.js';
import type { Caller, OpContext, Services, SpaceRef } from '../context.js';
import type { Operation } from '../operations.js';
import { operations } from '../registry.js';
import { describeRestriction, restrictionReaches } from '../access/predicate.js';
import { resolveSpace } from '../spaces/resolve.js';
import { parseInput } from './validate.js';

// Unknown parameters are errors (a typo must not be silently ignored).
const strictInputs = new Map<string, z.ZodType>();
function inputSchema(c: Contract): z.ZodType {
  let s = strictInputs.get(c.name);
  if (!s) {
    s = c.input instanceof z.ZodObject ? c.input.strict() : c.input;
    strictInputs.set(c.name, s);
  }
  return s;
}

export function findOperation(endpoint: Contract['endpoint'], method: string): Operation {
  const op = operations.get(method);
  if (!op || op.contract.endpoint !== endpoint) {
    const other = op ? ` (it is served at /api/v1/${op.contract.endpoint}/rpc)` : '';
    throw new AppError('NOT_FOUND', `unknown method "${method}"${other}`, { rpcCode: -32601, reason: 'METHOD_NOT_FOUND' });
  }
  return op;
}

/**
 * Checks a caller may invoke an operation at all, exactly as its contract's `access` declares:
 * credential kind, restriction, principal kind and OAuth scope. Nothing else decides this.
 */
export function authorize(c: Contract, caller: Caller) {
  const a = c.access;
  // `needs` marks a refusal by the contract's access rules (as opposed to the operation's own).
  const refuse = (message: string, reason: Reason, needs: string, extra: Record<string, unknown> = {}) =>
    new AppError('FORBIDDEN', message, { reason, needs, ...extra });
  if (!a.apiKeys && caller.credential === 'apiKey') {
    throw refuse(`${c.name} needs a signed-in person (\`me login\`, or the web page); API keys cannot do it`, 'USER_REQUIRED', 'a signed-in person');
  }
  if (!a.serviceAccounts && caller.kind === 'service') {
    throw refuse(`${c.name} is for people; a service account cannot do it (its owner can)`, 'USER_REQUIRED', 'a person, not a service account');
  }
  if (!a.restricted && caller.restriction) {
    throw refuse(`${describeRestriction(caller)}, and restricted credentials cannot call ${c.name}; use an unrestricted key or \`me login\``,
      'KEY_RESTRICTED', 'an unrestricted credential');
  }
  if (caller.scopes && !hasScope(caller.scopes, a.scope)) {
    throw refuse(`this token lacks the "${a.scope}" scope that ${c.name} needs; sign in again granting it`, 'SCOPE_MISSING', `scope ${a.scope}`, { requiredScope: a.scope });
  }
}

/** Runs one operation for an authenticated caller: authorize, validate, resolve the space, handle. */
export async function invoke(svc: Services, caller: Caller, op: Operation, params: unknown, requestId: string = randomUUID()): Promise<unknown> {
  const c = op.contract;
  authorize(c, caller);
  const input = parseInput(inputSchema(c), params) as Record<string, unknown>;
  let space = undefined as unknown as SpaceRef;
  if (c.access.space !== 'none') {
    space = await resolveSpace(svc, caller, input.space as string | undefined);
    if (!restrictionReaches(caller, space.id)) {
      throw new AppError('FORBIDDEN', `${c.name} in space "${space.slug}": ${describeRestriction(caller)}`, { reason: 'KEY_RESTRICTED', needs: 'a credential for this space' });
    }
    if (c.access.space === 'admin' && space.role !== 'admin') {
      throw new AppError('FORBIDDEN', `only admins of space "${space.slug}" can call ${c.name}`, { reason: 'SPACE_ADMIN_REQUIRED', needs: 'space admin' });
    }
  }
  // Built field by field, not as { ...svc, caller, space, requestId }: that spread cost ~20 µs of
  // CPU per call, an eighth of a memory.get (bench/README.md, "get").
  const ctx: OpContext = {
    db: svc.db, sql: svc.sql, log: svc.log, features: svc.features, embeddings: svc.embeddings, caches: svc.caches,
    caller, space, requestId,
  };
  return op.handler(input as never, ctx);
}
