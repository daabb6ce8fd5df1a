import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { OpOutput } from '../../../contracts/index.js';
import { currentUser, type SessionUser } from '../../lib/auth.js';
import { userRpc } from '../../lib/rpc.js';
import '../../lib/style.css';

// The OAuth consent page: better-auth sends the user here from /oauth2/authorize with the signed
// authorization query (sig); Allow/Deny post it back unchanged as oauth_query.
const params = new URLSearchParams(location.search);
const oauthQuery = location.search.slice(1);
const clientId = params.get('client_id') ?? '';
const requested = (params.get('scope') ?? '').split(' ').filter(Boolean);
const redirectUri = params.get('redirect_uri') ?? '';

const scopeWords: Record<string, string> = {
  'memory:read': 'Read and search your memories',
  'memory:write': 'Create, change, move and delete your memories',
  'space:admin': 'Administer your spaces: members, grants, invitations, API keys and connected applications',
  offline_access: 'Stay connected until you disconnect it (refresh tokens)',
  openid: 'Know who you are',
  profile: 'See your name',
  email: 'See your email address',
};

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
function redirectHost(uri: string): { host: string; local: boolean } | null {
  try {
    const u = new URL(uri);
    return { host: u.host, local: LOOPBACK.has(u.hostname) };
  } catch {
    return null;
  }
}

type Space = OpOutput<'space.list'>['spaces'][number];

/** Administration is never granted by default: only when the person ticks it. */
const ADMIN = 'space:admin';

async function decide(accept: boolean, scopes: string[]): Promise<string> {
  const res = await fetch('/api/v1/auth/oauth2/consent', {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ accept, oauth_query: oauthQuery, ...(accept ? { scope: scopes.join(' ') } : {}) }),
  });
  const body = (await res.json().catch(() => null)) as { url?: string; uri?: string; redirect_uri?: string; message?: string; error_description?: string } | null;
  const url = body?.url ?? body?.uri ?? body?.redirect_uri;
  if (!res.ok || !url) throw new Error(body?.error_description ?? body?.message ?? `the consent was not recorded (${res.status})`);
  return url;
}

function ConsentPage() {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [clientName, setClientName] = useState<string | null>(null);
  const [spaces, setSpaces] = useState<Space[]>([]);
  const [space, setSpace] = useState('');
  const [error, setError] = useState<string | null>(params.has('sig') ? null : 'This page is opened by an application asking for access; start again from that application.');
  const [busy, setBusy] = useState(false);
  const [admin, setAdmin] = useState(false);
  const target = redirectHost(redirectUri);
  const wantsMemory = requested.some((s) => s.startsWith('memory:'));
  const wantsWrite = requested.includes('memory:write');
  // The boundary: its tokens reach only this tree of the chosen space, read-only or read/write.
  const [tree, setTree] = useState('/');
  const [level, setLevel] = useState<'read' | 'write'>(wantsWrite ? 'write' : 'read');

  useEffect(() => {
    currentUser().then(setUser, () => setUser(null));
    fetch(`/api/v1/auth/oauth2/public-client?client_id=${encodeURIComponent(clientId)}`, { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((c: { client_name?: string } | null) => setClientName(c?.client_name ?? null), () => setClientName(null));
    Promise.all([userRpc('space.list', {}), userRpc('connector.list', {}).catch(() => null)]).then(
      ([r, connected]) => {
        setSpaces(r.spaces);
        // Asked again (new scopes): start from the boundary chosen last time.
        const before = connected?.connectors.find((c) => c.clientId === clientId);
        setSpace(before?.space ?? (r.spaces.find((s) => s.personal) ?? r.spaces[0])?.slug ?? '');
        if (before?.tree) setTree(before.tree);
        if (before?.level && (before.level === 'read' || wantsWrite)) setLevel(before.level);
      },
      () => setSpaces([]),
    );
  }, []);

  const answer = async (accept: boolean) => {
    setBusy(true);
    try {
      // The boundary first: once the consent is recorded, the application's first call may come at once.
      // Administration reaches the whole account, so an application allowed it is not bound.
      if (accept && wantsMemory && space) {
        await userRpc('connector.setBoundary', admin ? { clientId, space } : { clientId, space, tree: tree.trim() || '/', level });
      }
      location.assign(await decide(accept, requested.filter((s) => s !== ADMIN || admin)));
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  const name = clientName ?? clientId;
  return (
    <main>
      <h1>Allow access?</h1>
      <p class="sub">
        <strong data-testid="client-name">{name}</strong> wants to use your Memory Engine
        {user ? <> as <strong>{user.email}</strong></> : null}.
      </p>
      {error && <div class="banner" role="alert" data-testid="error">{error}</div>}
      <p>It will be able to:</p>
      <ul data-testid="scopes">
        {requested.filter((s) => s !== ADMIN).map((s) => <li key={s}>{scopeWords[s] ?? s}</li>)}
      </ul>
      {requested.includes(ADMIN) && (
        <label data-testid="admin-scope">
          <input type="checkbox" checked={admin} onChange={(e) => setAdmin((e.target as HTMLInputElement).checked)} />{' '}
          Also allow it to {scopeWords[ADMIN]!.toLowerCase()} (<code>{ADMIN}</code>). Leave this off unless you need it.
        </label>
      )}
      {target && (
        <p class="note" data-testid="redirect">
          After you answer, you go back to <strong>{target.host}</strong>.
          {target.local && (
            <span class="banner" style="display:block;margin-top:0.5rem" data-testid="local-warning">
              That is an app on this computer (localhost). Allow only if you just started this from an app you trust on this machine.
            </span>
          )}
        </p>
      )}
      {wantsMemory && spaces.length > 0 && (
        <fieldset data-testid="boundary">
          <legend>What it may reach</legend>
          <label>
            Space:{' '}
            <select data-testid="space" value={space} onChange={(e) => setSpace((e.target as HTMLSelectElement).value)}>
              {spaces.map((s) => <option key={s.slug} value={s.slug}>{s.name}{s.personal ? ' (personal)' : ''}</option>)}
            </select>
          </label>
          {admin ? (
            <p class="note" data-testid="unbound">With administration it is not bound: it may use every space you belong to; this space is its default.</p>
          ) : (
            <>
              <label style="display:block;margin-top:0.5rem">
                Only this part of it:{' '}
                <input data-testid="tree" value={tree} placeholder="/" size={18} onInput={(e) => setTree((e.target as HTMLInputElement).value)} />
              </label>
              <div style="margin-top:0.5rem">
                <label><input type="radio" name="level" data-testid="level-read" checked={level === 'read'} onChange={() => setLevel('read')} /> Read only</label>{' '}
                {wantsWrite && <label><input type="radio" name="level" data-testid="level-write" checked={level === 'write'} onChange={() => setLevel('write')} /> Read and write</label>}
              </div>
              <p class="note">It cannot reach other spaces or trees, nor more than you may yourself. You can change this on the Connections page.</p>
            </>
          )}
        </fieldset>
      )}
      <button disabled={busy || !params.has('sig')} data-testid="allow" onClick={() => answer(true)}>Allow</button>
      <button disabled={busy || !params.has('sig')} data-testid="deny" onClick={() => answer(false)}>Deny</button>
      <p class="note">You can disconnect it any time with <code>me connector revoke {clientId}</code>.</p>
    </main>
  );
}

render(<ConsentPage />, document.getElementById('app')!);
