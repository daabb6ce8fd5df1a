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

  /** A one-line hint about what to do next, for people at a terminal. */
  get hint(): string | undefined {
    switch (this.code) {
      case 'UNAUTHORIZED':
        return 'sign in with `me login`, or set ME_API_KEY to a valid API key';
      case 'FORBIDDEN':
        return /me login/.test(this.message) ? undefined : 'check your grants with `me grant list` and the space with `me whoami`';
      case 'NOT_FOUND':
        return /^space\b/.test(this.message)
          ? 'list your spaces with `me space list`, then pass --space or run `me space use SLUG`'
          : 'check the id or path (try `me search` or `me tree`)';
      case 'CONFLICT':
        return 'read the current state again (e.g. `me memory get`) and retry';
      case 'NETWORK':
        return 'is the server running? start one with `me serve`, or set ME_SERVER / `--server`';
      default:
        return undefined;
    }
  }
}
