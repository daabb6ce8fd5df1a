import { createHash } from 'node:crypto';

/** How OAuth tokens and one-time links are stored and looked up: base64url(sha256(token)). */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
