import type { z } from 'zod';

export type Level = 'read' | 'write' | 'owner';

/** OAuth scopes. memory:write includes memory:read; space:admin is separate (administration only). */
export const SCOPES = ['memory:read', 'memory:write', 'space:admin'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Everything the dispatcher checks before an operation's handler runs (server/rpc/dispatch.ts).
 * Tree-level checks (which memories a caller may touch) then happen inside the handler's SQL,
 * against the caller's grants intersected with any restriction of the credential.
 */
export interface Access {
  /** The OAuth scope a token must hold. Cookie sessions and API keys carry no scopes. */
  scope: Scope;
  /**
   * Where it acts: `none` = the caller's own account (no space); `member` = the space the call names
   * (or the connection's default), of which the caller must be a member; `admin` = such a space,
   * where the caller must be an admin.
   */
  space: 'none' | 'member' | 'admin';
  /** The grant level it needs on the trees it touches (checked in SQL); null when it touches no tree. */
  level: Level | null;
  /** Whether an API key may call it (false: only a signed-in person, by cookie or OAuth token). */
  apiKeys: boolean;
  /** Whether a restricted credential (an API key narrowed to trees and levels) may call it. */
  restricted: boolean;
  /** Whether a service account (an agent's own principal) may call it. */
  serviceAccounts: boolean;
}

/** Memories: any credential that reaches the space; the tree check is in SQL (grants ∩ restriction). */
export const memoryAccess = (level: Level): Access => ({
  scope: level === 'read' ? 'memory:read' : 'memory:write', space: 'member', level, apiKeys: true, restricted: true, serviceAccounts: true,
});

/** Who am I and where can I go: any credential, read-only. */
export const selfAccess: Access = { scope: 'memory:read', space: 'none', level: null, apiKeys: true, restricted: true, serviceAccounts: true };

/**
 * Administration (roster, grants, spaces, invitations, keys, service accounts, connections): never a
 * restricted credential, never a token without space:admin, and by default never a service account.
 */
export const adminAccess = (space: Access['space'], more: Partial<Pick<Access, 'level' | 'apiKeys' | 'serviceAccounts'>> = {}): Access => ({
  scope: 'space:admin', space, level: null, apiKeys: true, restricted: false, serviceAccounts: false, ...more,
});

/** Whether a token's scopes include `needed` (memory:write includes memory:read). */
export const hasScope = (scopes: readonly string[], needed: Scope) =>
  scopes.includes(needed) || (needed === 'memory:read' && scopes.includes('memory:write'));

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
  /**
   * Arguments the MCP tool uses when the agent omits them (shown as the schema's defaults), where an
   * agent's context needs a smaller answer than a script's (e.g. a content window). RPC and CLI
   * callers get the contract's own defaults.
   */
  toolDefaults?: Record<string, unknown>;
}

export const defineContract = <N extends string, E extends Endpoint, I extends z.ZodType, O extends z.ZodType>(c: Contract<I, O, N, E>): Contract<I, O, N, E> => c;

export const readOnly: Hints = { readOnly: true, destructive: false, idempotent: true };
export const additive: Hints = { readOnly: false, destructive: false, idempotent: false };
export const idempotentWrite: Hints = { readOnly: false, destructive: false, idempotent: true };
export const destructive: Hints = { readOnly: false, destructive: true, idempotent: true };

/** `memory.getByPath` → `me_memory_get_by_path`. */
export const toolName = (name: string) =>
  'me_' + name.replace(/\./g, '_').replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
