import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentUser, loadProviders, localPath, signIn, signOut, type Provider, type SessionUser } from '../../lib/auth.js';
import { describeError } from '../../lib/errors.js';
import '../../lib/style.css';

const params = new URLSearchParams(location.search);
// Reached from /api/v1/auth/oauth2/authorize: the query is signed (sig) and must go back unchanged.
const oauthQuery = params.has('sig') ? location.search.slice(1) : null;
const clientId = params.get('client_id');
// Sent here from a page of the app while signed out: go back there afterwards.
const next = oauthQuery ? null : localPath(params.get('next'));

function LoginPage() {
  const [providers, setProviders] = useState<Provider[] | null>(null);
  const [ownerLink, setOwnerLink] = useState(false);
  const [user, setUser] = useState<SessionUser | null>(null);
  const [error, setError] = useState<string | null>(() => {
    const code = params.get('error');
    return code ? describeError(code, params.get('error_description')) : null;
  });
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    loadProviders().then((p) => { setProviders(p.providers); setOwnerLink(p.ownerLink); }, (e: Error) => setError(e.message));
    currentUser().then((u) => {
      if (u && next) location.replace(next);
      else setUser(u);
    }, () => setUser(null));
  }, []);

  const start = async (id: string) => {
    setBusy(true);
    try {
      await signIn(id, oauthQuery, next);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <main>
      <h1>Memory Engine</h1>
      <p class="sub">{oauthQuery ? `Sign in to continue to ${clientId === 'me-cli' ? 'the me CLI' : clientId ?? 'the application'}.` : 'Sign in'}</p>
      {error && <div class="banner" role="alert" data-testid="error">{error}</div>}
      {user && !oauthQuery ? (
        <>
          <p data-testid="signed-in">Signed in as <strong>{user.name}</strong> ({user.email}).</p>
          <p><a href="/" data-testid="open-app">Open your memories</a></p>
          <p class="note">Or use <code>me</code> on the command line, and close this page.</p>
          <button onClick={() => signOut().then(() => setUser(null), (e: Error) => setError(e.message))}>Sign out</button>
        </>
      ) : providers === null ? (
        <p class="note">Loading…</p>
      ) : (
        <>
          {providers.map((p) => (
            <button key={p.id} disabled={busy} data-provider={p.id} onClick={() => start(p.id)}>Continue with {p.name}</button>
          ))}
          {providers.length === 0 && ownerLink && (
            <p class="note">No identity provider is configured. Open the one-time owner sign-in link the server printed at startup{oauthQuery ? ', then run the command again' : ''}.</p>
          )}
        </>
      )}
    </main>
  );
}

render(<LoginPage />, document.getElementById('app')!);
