/** Application error codes, carried in JSON-RPC `error.data.code` and mapped to HTTP-ish meaning. */
export const errorCodes = {
  VALIDATION_ERROR: -32602,
  UNAUTHORIZED: -32001,
  FORBIDDEN: -32003,
  NOT_FOUND: -32004,
  CONFLICT: -32009,
  PAYLOAD_TOO_LARGE: -32013,
  RATE_LIMITED: -32029,
  UNAVAILABLE: -32050,
  INTERNAL: -32603,
} as const;
export type ErrorCode = keyof typeof errorCodes;

/** An error meant for the caller: its message says what was wrong and how to fix it. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (why: string) => new AppError('FORBIDDEN', why);
