import type { z } from 'zod';

export type Level = 'read' | 'write' | 'owner';

/**
 * The access an operation needs before its handler runs. Tree-level checks (which memories a
 * caller may touch) happen inside the handler's SQL, against the caller's effective grants.
 *  - space:      a member of the chosen space; `level` is the grant level the operation needs
 *  - spaceAdmin: an admin of the chosen space (roster, grants)
 *  - principal:  any authenticated caller, no space needed
 *  - user:       a signed-in person (cookie or OAuth token), never an API key
 */
export type Access =
  | { kind: 'space'; level: Level }
  | { kind: 'spaceAdmin' }
  | { kind: 'principal' }
  | { kind: 'user' };

export interface Hints {
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
}

/** One operation, declared once: everything else (JSON-RPC, MCP, CLI, docs) derives from it. */
export type Endpoint = 'memory' | 'user';

export interface Contract<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType, N extends string = string, E extends Endpoint = Endpoint> {
  /** Dotted name, e.g. `memory.search`: the JSON-RPC method. */
  name: N;
  /** Which RPC endpoint serves it: `/api/v1/memory/rpc` or `/api/v1/user/rpc`. */
  endpoint: E;
  /** One line, for lists and `--help`. */
  summary: string;
  /** Written for agents and people: when to use it and how. */
  description: string;
  input: I;
  output: O;
  access: Access;
  hints: Hints;
  /** Exposed as an MCP tool (`me_<name>`). */
  tool?: boolean;
}

export const defineContract = <N extends string, E extends Endpoint, I extends z.ZodType, O extends z.ZodType>(c: Contract<I, O, N, E>): Contract<I, O, N, E> => c;

export const readOnly: Hints = { readOnly: true, destructive: false, idempotent: true };
export const additive: Hints = { readOnly: false, destructive: false, idempotent: false };
export const idempotentWrite: Hints = { readOnly: false, destructive: false, idempotent: true };
export const destructive: Hints = { readOnly: false, destructive: true, idempotent: true };

/** The OAuth scope an operation requires of a token. */
export function requiredScope(c: Contract): 'memory:read' | 'memory:write' | null {
  if (c.access.kind === 'space') return c.access.level === 'read' ? 'memory:read' : 'memory:write';
  if (c.access.kind === 'spaceAdmin') return 'memory:write';
  return c.hints.readOnly ? 'memory:read' : 'memory:write';
}

/** `memory.getByPath` → `me_memory_get_by_path`. */
export const toolName = (name: string) =>
  'me_' + name.replace(/\./g, '_').replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
