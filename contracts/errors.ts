/** Application error codes, carried in JSON-RPC `error.data.code` and mapped to HTTP-ish meaning. */
export const errorCodes = {
  VALIDATION_ERROR: -32602,
  UNAUTHORIZED: -32001,
  FORBIDDEN: -32003,
  NOT_FOUND: -32004,
  TIMEOUT: -32008,
  CONFLICT: -32009,
  PAYLOAD_TOO_LARGE: -32013,
  RATE_LIMITED: -32029,
  UNAVAILABLE: -32050,
  INTERNAL: -32603,
} as const;
export type ErrorCode = keyof typeof errorCodes;

/**
 * Stable, machine-readable reasons, sent in `error.data.reason` beside `code`. Clients (the CLI's
 * hints, agents) decide on the reason, never on message text. One catalogue; docs/operations.md
 * lists it. A reason belongs to exactly one code.
 */
export const reasons = {
  INVALID_INPUT: { code: 'VALIDATION_ERROR', summary: 'A parameter is missing or breaks a rule; the message names the field and the rule.' },
  INVALID_REQUEST: { code: 'VALIDATION_ERROR', summary: 'The JSON-RPC envelope is malformed (not an object, no method, bad id, bad batch).' },
  INVALID_JSON: { code: 'VALIDATION_ERROR', summary: 'The body is not JSON, or not sent as Content-Type: application/json.' },
  INVALID_CURSOR: { code: 'VALIDATION_ERROR', summary: 'The paging cursor was altered or belongs to another listing: start again without it.' },
  INVALID_JSONPATH: { code: 'VALIDATION_ERROR', summary: 'The `where` JSONPath is malformed or outside the accepted subset.' },
  SPACE_AMBIGUOUS: { code: 'VALIDATION_ERROR', summary: 'You belong to several spaces and the call named none.' },
  LOGIN_REQUIRED: { code: 'UNAUTHORIZED', summary: 'No credential was sent: sign in (`me login`) or send an API key.' },
  TOKEN_INVALID: { code: 'UNAUTHORIZED', summary: 'The bearer token or API key is invalid, expired or revoked.' },
  APP_DISCONNECTED: { code: 'UNAUTHORIZED', summary: 'The application was disconnected by its user; connect it again.' },
  KEY_RESTRICTED: { code: 'FORBIDDEN', summary: 'The API key, or the connected application (bound at consent to a space, tree and level), is restricted, and this operation, space or tree is outside its restriction.' },
  SCOPE_MISSING: { code: 'FORBIDDEN', summary: 'The OAuth token lacks the scope this operation needs; sign in again granting it.' },
  USER_REQUIRED: { code: 'FORBIDDEN', summary: 'Only a signed-in person may do this (not an API key or a service account).' },
  SPACE_ADMIN_REQUIRED: { code: 'FORBIDDEN', summary: 'Only an admin of the space may do this.' },
  GRANT_MISSING: { code: 'FORBIDDEN', summary: 'Your grants in the space do not reach this tree at the level needed.' },
  CROSS_ORIGIN: { code: 'FORBIDDEN', summary: 'A cookie request came from another origin (CSRF protection).' },
  FORBIDDEN: { code: 'FORBIDDEN', summary: 'The operation is not allowed for this caller; the message says why.' },
  NOT_FOUND: { code: 'NOT_FOUND', summary: 'The memory, key, invitation or other object does not exist or is not visible to you.' },
  SPACE_NOT_FOUND: { code: 'NOT_FOUND', summary: 'No such space, or you are not a member of it.' },
  METHOD_NOT_FOUND: { code: 'NOT_FOUND', summary: 'No such operation on this endpoint.' },
  VERSION_CONFLICT: { code: 'CONFLICT', summary: 'The memory changed since the version you read; read it again and retry.' },
  ID_EXISTS: { code: 'CONFLICT', summary: 'A create names an id that a memory of this space already has, with other content (data.ids); identical content is a no-op instead.' },
  ID_DELETED: { code: 'CONFLICT', summary: 'A create names the id of a deleted memory (in the trash, data.ids): restore it (memory.restore) rather than creating it again.' },
  ID_TAKEN: { code: 'CONFLICT', summary: 'A create names an id already used in another space or by a memory you cannot see (data.ids); choose another id.' },
  CONFLICT: { code: 'CONFLICT', summary: 'The change collides with existing state (a taken path or slug); the message says which.' },
  BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', summary: 'The request body exceeds the body limit (ME_BODY_LIMIT).' },
  RATE_LIMITED: { code: 'RATE_LIMITED', summary: 'Too many requests of this kind; wait and retry.' },
  QUERY_TIMEOUT: { code: 'TIMEOUT', summary: 'The query ran past its time bound and was cancelled; narrow it.' },
  QUERY_TOO_COMPLEX: { code: 'TIMEOUT', summary: 'The query needed more memory or nesting than the database allows and was stopped; narrow it.' },
  DATABASE_UNAVAILABLE: { code: 'UNAVAILABLE', summary: 'The database cannot be reached right now (an outage or restart); retry after `data.retryAfter` seconds.' },
  SERVER_STARTING: { code: 'UNAVAILABLE', summary: 'The server is starting (opening and migrating its database); retry after `data.retryAfter` seconds.' },
  UNAVAILABLE: { code: 'UNAVAILABLE', summary: 'A feature or dependency is not available (e.g. semantic search); the message says what to set up.' },
  INTERNAL: { code: 'INTERNAL', summary: 'A bug on our side; it has been logged.' },
} as const satisfies Record<string, { code: ErrorCode; summary: string }>;
export type Reason = keyof typeof reasons;

/** The reason an error carries when it names none: the general one of its code. */
const defaultReason: Record<ErrorCode, Reason> = {
  VALIDATION_ERROR: 'INVALID_INPUT',
  UNAUTHORIZED: 'TOKEN_INVALID',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  TIMEOUT: 'QUERY_TIMEOUT',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'BODY_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
};

/** An error meant for the caller: its message says what was wrong and how to fix it. */
export class AppError extends Error {
  readonly reason: Reason;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data?: Record<string, unknown> & { reason?: Reason },
  ) {
    super(message);
    this.name = 'AppError';
    this.reason = data?.reason ?? defaultReason[code];
    if (reasons[this.reason].code !== code) throw new Error(`reason ${this.reason} belongs to ${reasons[this.reason].code}, not ${code}`);
  }
}

export const notFound = (what: string, note = '') => new AppError('NOT_FOUND', `${what} not found${note}`);
export const forbidden = (why: string, reason: Reason = 'FORBIDDEN') => new AppError('FORBIDDEN', why, { reason });
