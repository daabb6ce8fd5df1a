// Error codes the sign-in flow can bring back in ?error=…, as sentences for people.
const messages: Record<string, string> = {
  EMAIL_NOT_VERIFIED: 'Your email address is not verified by your identity provider. Verify it there, then sign in again.',
  OWNER_LINK_INVALID: 'That owner sign-in link is invalid, used or expired. Restart the server for a new one.',
  access_denied: 'Sign-in was cancelled at the identity provider.',
  invalid_signature: 'The sign-in request was altered or has expired. Start again from your app.',
  state_mismatch: 'The sign-in took too long or was started in another browser. Please try again.',
  please_restart_the_process: 'The sign-in took too long or was started in another browser. Please try again.',
};

export function describeError(code: string, description: string | null): string {
  return messages[code] ?? (description ? `${description} (${code})` : `Sign-in failed: ${code}.`);
}
