// The few parts of oidc-provider (which ships no types) that test/support/idp.ts uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  interface Account { accountId: string; claims(): Promise<Record<string, unknown>> }
  export default class Provider {
    constructor(issuer: string, config: {
      clients: Record<string, unknown>[];
      findAccount(ctx: unknown, id: string): Promise<Account | undefined>;
      [option: string]: unknown;
    });
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: 'server_error', listener: (ctx: unknown, err: Error) => void): this;
  }
}
