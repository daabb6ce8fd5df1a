/** An error from the server (or from reaching it), with the server's code and message. */
export class MeError extends Error {
  constructor(
    /** The application code: NOT_FOUND, CONFLICT, VALIDATION_ERROR, FORBIDDEN, UNAUTHORIZED, … or NETWORK / PROTOCOL. */
    readonly code: string,
    message: string,
    readonly details: { status?: number; rpcCode?: number; method?: string; data?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'MeError';
  }

  /** The server's stable reason (error.data.reason), when it sent one. */
  get reason(): string | undefined {
    return this.details.data?.reason as string | undefined;
  }

  /** A one-line hint about what to do next, for people at a terminal: chosen by reason, never by message text. */
  get hint(): string | undefined {
    return hints[this.reason ?? this.code];
  }
}

/** What to do next, by the server's reason (or the client's own code when the server was not reached). */
const hints: Record<string, string> = {
  LOGIN_REQUIRED: 'sign in with `me login`, or set ME_API_KEY to an API key',
  TOKEN_INVALID: 'sign in again with `me login`, or set ME_API_KEY to a valid API key',
  UNAUTHORIZED: 'sign in with `me login`, or set ME_API_KEY to a valid API key',
  KEY_RESTRICTED: 'this API key is restricted to some trees: use an unrestricted key, or unset ME_API_KEY and use `me login`',
  SCOPE_MISSING: 'your sign-in does not include this permission: run `me login` again',
  USER_REQUIRED: 'only a signed-in person can do this: unset ME_API_KEY and use `me login`',
  SPACE_ADMIN_REQUIRED: 'ask an admin of the space (`me space list` shows your role)',
  GRANT_MISSING: 'check your grants with `me grant list` and the space with `me whoami`',
  SPACE_NOT_FOUND: 'list your spaces with `me space list`, then pass --space or run `me space use SLUG`',
  SPACE_AMBIGUOUS: 'pass --space SLUG, or run `me space use SLUG` once (`me space list` shows them)',
  NOT_FOUND: 'check the id or path (try `me search` or `me tree`)',
  ID_EXISTS: 'a memory with that id exists with other content: pass --on-conflict replace to update it, or ignore to keep it',
  ID_DELETED: 'the memory with that id was deleted: bring it back with `me restore <id>`',
  ID_TAKEN: 'that id belongs to another memory: choose a new id, or leave it out',
  VERSION_CONFLICT: 'read it again (`me get …`) and reapply your change with the new version',
  CONFLICT: 'read the current state again (e.g. `me get …`) and retry',
  QUERY_TIMEOUT: 'narrow the query: a tree, a filter or a smaller --limit',
  DATABASE_UNAVAILABLE: 'the server cannot reach its database right now; retry in a moment',
  SERVER_STARTING: 'the server is starting; retry in a moment',
  RATE_LIMITED: 'wait a little and retry',
  NETWORK: 'is the server running? start one with `me serve`, or set ME_SERVER / `--server`',
};
