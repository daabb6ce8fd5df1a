import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentUser, loadProviders, signIn, type Provider, type SessionUser } from '../../lib/auth.js';
import '../../lib/style.css';

// The device sign-in page (RFC 8628): `me login --device` on a machine without a browser prints a
// code and this page's address. Here a signed-in person enters (or confirms) the code, sees what
// asks for access, and approves or denies it; the CLI then receives its tokens.

const base = '/api/v1/auth';
const initial = new URLSearchParams(location.search).get('user_code') ?? '';

interface Request { user_code: string; status: 'pending' | 'approved' | 'denied'; client_id?: string; scope?: string }

const clientLabel = (id: string | undefined) => (id === 'me-cli' ? 'the me command line (me login --device)' : id ?? 'an application');
const scopeWords: Record<string, string> = {
  'memory:read': 'read and search your memories',
  'memory:write': 'create, change and delete your memories',
  offline_access: 'stay signed in (refresh tokens)',
  openid: 'know who you are', profile: 'see your name', email: 'see your email address',
};

/** `abcd efgh` → `ABCD-EFGH` for display; the server accepts any of these spellings. */
const pretty = (code: string) => {
  const c = code.replace(/[^a-zA-Z0-9]/g, '').toUpperCase();
  return c.length === 8 ? `${c.slice(0, 4)}-${c.slice(4)}` : c;
};

async function call<T>(res: Promise<Response>): Promise<T> {
  const r = await res;
  const body = (await r.json().catch(() => null)) as (T & { error_description?: string; message?: string }) | null;
  if (!r.ok) throw new Error(body?.error_description ?? body?.message ?? `request failed (${r.status})`);
  return body as T;
}

const lookup = (code: string) => call<Request>(fetch(`${base}/device?user_code=${encodeURIComponent(code)}`, { credentials: 'same-origin' }));
const decide = (code: string, approve: boolean) => call<{ success: boolean }>(fetch(`${base}/device/${approve ? 'approve' : 'deny'}`, {
  method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userCode: code }),
}));

function DevicePage() {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [providers, setProviders] = useState<Provider[] | null>(null);
  const [code, setCode] = useState(initial);
  const [request, setRequest] = useState<Request | null>(null);
  const [done, setDone] = useState<'approved' | 'denied' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    currentUser().then(setUser, () => setUser(null));
    loadProviders().then((p) => setProviders(p.providers), () => setProviders([]));
  }, []);
  useEffect(() => {
    if (user && initial) void check(initial);
  }, [user]);

  async function check(value: string) {
    setError(null);
    setBusy(true);
    try {
      const r = await lookup(value.trim());
      if (r.status !== 'pending') throw new Error(`This code was already ${r.status}. Run \`me login --device\` again for a new one.`);
      setRequest(r);
    } catch (e) {
      setRequest(null);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function answer(approve: boolean) {
    setBusy(true);
    try {
      await decide(request!.user_code, approve);
      setDone(approve ? 'approved' : 'denied');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const returnTo = `/device${code ? `?user_code=${encodeURIComponent(code)}` : ''}`;
  return (
    <main>
      <h1>Connect a device</h1>
      <p class="sub">Sign in a command line or another device to Memory Engine with the code it shows.</p>
      {error && <div class="banner" role="alert" data-testid="error">{error}</div>}
      {user === undefined ? (
        <p class="note">Loading…</p>
      ) : user === null ? (
        <>
          <p>Sign in first; you come back here with your code.</p>
          {providers?.map((p) => (
            <button key={p.id} data-provider={p.id} onClick={() => signIn(p.id, null, returnTo).catch((e: Error) => setError(e.message))}>Continue with {p.name}</button>
          ))}
          {providers?.length === 0 && (
            <p class="note">No identity provider is configured: open the owner sign-in link the server printed (or run <code>me serve --owner-link</code> on it), then reload this page.</p>
          )}
        </>
      ) : done ? (
        <p data-testid="done">{done === 'approved' ? 'Done: the device is signed in. You can close this page and return to your terminal.' : 'Denied: the device was not signed in.'}</p>
      ) : request ? (
        <>
          <p>Signed in as <strong>{user.name}</strong>{user.email ? ` (${user.email})` : ''}.</p>
          <p data-testid="request">
            <strong>{clientLabel(request.client_id)}</strong> asks to sign in as you with the code <code data-testid="code">{pretty(request.user_code)}</code>.
            Approve only if your terminal shows this same code.
          </p>
          {request.scope && (
            <ul class="note">{request.scope.split(' ').filter(Boolean).map((s) => <li key={s}>{scopeWords[s] ?? s}</li>)}</ul>
          )}
          <button disabled={busy} data-testid="approve" onClick={() => answer(true)}>Approve</button>
          <button disabled={busy} data-testid="deny" onClick={() => answer(false)}>Deny</button>
        </>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); void check(code); }}>
          <p>Signed in as <strong>{user.name}</strong>. Enter the code your terminal shows:</p>
          <input name="user_code" value={code} autoFocus autoComplete="off" placeholder="ABCD-EFGH" aria-label="Code"
            style="font: inherit; font-size: 1.4rem; letter-spacing: 0.1em; width: 100%; box-sizing: border-box; padding: 0.5rem; text-transform: uppercase"
            onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled={busy || !code.trim()}>Continue</button>
        </form>
      )}
    </main>
  );
}

render(<DevicePage />, document.getElementById('app')!);
