import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../contracts/errors.js';
import { requiredScope, type Contract } from '../../contracts/define.js';
import type { Caller, OpContext, Services, SpaceRef } from '../context.js';
import type { Operation } from '../operations.js';
import { operations } from '../registry.js';
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
    throw new AppError('NOT_FOUND', `unknown method "${method}"${other}`, { rpcCode: -32601 });
  }
  return op;
}

/** Checks a caller may invoke an operation at all: credential kind and OAuth scope. */
export function authorize(c: Contract, caller: Caller) {
  if (c.access.kind === 'user' && (caller.credential === 'apiKey' || caller.kind !== 'user')) {
    throw new AppError('FORBIDDEN', `${c.name} needs a signed-in user (me login, or the web page); API keys cannot do it`);
  }
  const scope = requiredScope(c);
  if (caller.scopes && scope && !caller.scopes.includes(scope) && !(scope === 'memory:read' && caller.scopes.includes('memory:write'))) {
    throw new AppError('FORBIDDEN', `this token lacks the "${scope}" scope that ${c.name} needs; sign in again granting it`, { requiredScope: scope, insufficientScope: true });
  }
}

/** Runs one operation for an authenticated caller: authorize, validate, resolve the space, handle. */
export async function invoke(svc: Services, caller: Caller, op: Operation, params: unknown, requestId: string = randomUUID()): Promise<unknown> {
  const c = op.contract;
  authorize(c, caller);
  const input = parseInput(inputSchema(c), params) as Record<string, unknown>;
  let space = undefined as unknown as SpaceRef;
  if (c.access.kind === 'space' || c.access.kind === 'spaceAdmin') {
    space = await resolveSpace(svc, caller, input.space as string | undefined);
    if (c.access.kind === 'spaceAdmin' && space.role !== 'admin') {
      throw new AppError('FORBIDDEN', `only admins of space "${space.slug}" can call ${c.name}`);
    }
  }
  const ctx: OpContext = { ...svc, caller, space, requestId };
  return op.handler(input as never, ctx);
}
