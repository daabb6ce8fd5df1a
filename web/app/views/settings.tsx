import { useState } from 'preact/hooks';
import type { OpOutput } from '../../../contracts/index.js';
import { memoryRpc, userRpc } from '../../lib/rpc.js';
import { settingsTabs, type SettingsTab } from '../router.js';
import { useSession } from '../session.js';
import { Action, CopyButton, ErrorBanner, Link, Loading, Time, useLoad } from '../ui.js';

const tabNames: Record<SettingsTab, string> = { keys: 'API keys', connections: 'Connected applications', members: 'Members and access', invitations: 'Invitations' };

export function SettingsPage({ tab }: { tab: SettingsTab }) {
  const { space } = useSession();
  const admin = space.role === 'admin';
  const tabs = settingsTabs.filter((t) => admin || t !== 'members');
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <nav class="tabs" aria-label="Settings">
        {tabs.map((t) => <Link key={t} href={`/settings/${t}`} class={t === tab ? 'current' : undefined}>{tabNames[t]}</Link>)}
      </nav>
      {tab === 'keys' ? <Keys /> : tab === 'connections' ? <Connections /> : tab === 'members' ? (admin ? <Members /> : <p>Only admins of {space.name} manage its members.</p>) : <Invitations />}
    </section>
  );
}

function Keys() {
  const keys = useLoad(() => userRpc('apiKey.list', {}), []);
  const [made, setMade] = useState<OpOutput<'apiKey.create'> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const create = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const ttl = Number(data.get('ttl'));
    setMade(await userRpc('apiKey.create', { name: String(data.get('name')), ...(ttl ? { ttlDays: ttl } : {}) }));
    form.reset();
    keys.reload();
  };
  return (
    <>
      <h2>API keys</h2>
      <p class="muted">Keys act as you, for scripts, agents and <code>ME_API_KEY</code>. A key is shown once, when it is made.</p>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); setError(null); void create(e.target as HTMLFormElement).catch(setError); }}>
        <label>Name <input name="name" required placeholder="laptop agent" data-testid="key-name" /></label>
        <label>Expires after (days, optional) <input name="ttl" type="number" min={1} max={3650} /></label>
        <button type="submit" class="primary" data-testid="create-key">Create key</button>
      </form>
      {made && (
        <div class="secret" role="status" data-testid="new-key">
          <p>Your new key <strong>{made.name}</strong>. Copy it now: it is not shown again.</p>
          <code data-testid="key-value">{made.key}</code> <CopyButton text={made.key} testid="copy-key" />
        </div>
      )}
      <ErrorBanner error={error ?? keys.error} />
      {!keys.data ? <Loading /> : (
        <table class="list">
          <thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Last used</th><th>Expires</th><th /></tr></thead>
          <tbody>
            {keys.data.keys.map((k) => (
              <tr key={k.id} data-testid="key-row" data-key-id={k.id}>
                <td>{k.name}{k.principalName && <span class="muted"> · {k.principalName}</span>}</td>
                <td><code>{k.prefix}…</code></td>
                <td><Time at={k.createdAt} /></td>
                <td>{k.lastUsedAt ? <Time at={k.lastUsedAt} /> : 'never'}</td>
                <td>{k.expiresAt ? <Time at={k.expiresAt} /> : 'never'}</td>
                <td><Action kind="danger" testid="revoke-key" run={async () => { await userRpc('apiKey.revoke', { id: k.id }); keys.reload(); }}>Revoke</Action></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Applications the person connected (MCP clients, OAuth apps): their boundary, to change, and Disconnect; also served at /connections. */
function Connections() {
  const list = useLoad(() => userRpc('connector.list', {}), []);
  return (
    <>
      <h2>Connected applications</h2>
      <p class="muted">Applications you allowed to use your Memory Engine, and what each may reach.</p>
      <ErrorBanner error={list.error} />
      {!list.data ? !list.error && <Loading /> : list.data.connectors.length === 0 ? <p data-testid="empty">No connected applications.</p> : list.data.connectors.map((c) => (
        <section key={c.clientId} class="card" data-testid="connector" data-client-id={c.clientId}>
          <h3>{c.name ?? c.clientId}</h3>
          <p class="muted">Signs in at {c.redirectHosts.join(', ')} · {c.scopes.join(', ')} · since <Time at={c.approvedAt} /></p>
          <p data-testid="boundary">{c.level
            ? <>Only <code>{c.tree}</code> in space <strong>{c.space}</strong>, {c.level === 'read' ? 'read-only' : 'read and write'}.</>
            : <>Not bound: any space you belong to (default {c.space ?? 'your personal space'}).</>}</p>
          <BoundaryForm connector={c} saved={list.reload} />
          <Action testid="disconnect" run={async () => { await userRpc('connector.revoke', { clientId: c.clientId }); list.reload(); }}>Disconnect</Action>
        </section>
      ))}
    </>
  );
}

type Connector = OpOutput<'connector.list'>['connectors'][number];

/** Change a connection's boundary: the same choice as on the consent page (connector.setBoundary). */
function BoundaryForm({ connector: c, saved }: { connector: Connector; saved: () => void }) {
  const { me } = useSession();
  const [error, setError] = useState<unknown>(null);
  const personal = me.spaces.find((s) => s.personal)?.slug ?? null;
  const save = async (form: HTMLFormElement) => {
    const d = new FormData(form);
    const level = String(d.get('level'));
    const space = String(d.get('space'));
    try {
      await userRpc('connector.setBoundary', level === 'none'
        ? { clientId: c.clientId, space: space === personal ? null : space }
        : { clientId: c.clientId, space, tree: String(d.get('tree') || '/'), level: level as 'read' | 'write' });
      setError(null);
      saved();
    } catch (e) {
      setError(e);
    }
  };
  const canWrite = c.scopes.includes('memory:write');
  return (
    <form class="inline-form" data-testid="boundary-form" onSubmit={(e) => { e.preventDefault(); void save(e.currentTarget); }}>
      <ErrorBanner error={error} />
      <label>Space <select name="space" data-testid="boundary-space" value={c.space ?? personal ?? ''}>
        {me.spaces.map((s) => <option key={s.slug} value={s.slug}>{s.name}</option>)}
      </select></label>{' '}
      <label>Tree <input name="tree" data-testid="boundary-tree" value={c.tree ?? '/'} size={14} /></label>{' '}
      <label>Access <select name="level" data-testid="boundary-level" value={c.level ?? 'none'}>
        <option value="read">read-only</option>
        {canWrite && <option value="write">read and write</option>}
        <option value="none">not bound</option>
      </select></label>{' '}
      <button type="submit" data-testid="boundary-save">Save</button>
    </form>
  );
}

function Members() {
  const { space, me } = useSession();
  const people = useLoad(() => memoryRpc('principal.list', { space: space.slug }), [space.slug]);
  const grants = useLoad(() => memoryRpc('grant.list', { space: space.slug }), [space.slug]);
  const [error, setError] = useState<unknown>(null);
  const reload = () => { people.reload(); grants.reload(); };
  const addGrant = async (form: HTMLFormElement) => {
    const d = new FormData(form);
    await memoryRpc('grant.set', { space: space.slug, principal: String(d.get('principal')), tree: String(d.get('tree') || '/'), level: d.get('level') as 'read' });
    reload();
  };
  return (
    <>
      <h2>Members of {space.name}</h2>
      <ErrorBanner error={people.error ?? grants.error} />
      {!people.data || !grants.data ? <Loading /> : (
        <>
          <table class="list">
            <thead><tr><th>Who</th><th>Role</th><th>Access</th><th /></tr></thead>
            <tbody>
              {people.data.principals.map((p) => (
                <tr key={p.id} data-testid="member">
                  <td>{p.name}{p.email && <span class="muted"> · {p.email}</span>}{p.kind === 'service' && <span class="muted"> (agent)</span>}</td>
                  <td>{p.role}</td>
                  <td>{grants.data!.grants.filter((g) => g.principal === p.id).map((g) => (
                    <span key={g.tree} class="grant">{g.level} on {g.tree}{' '}
                      <button type="button" class="link" aria-label={`Remove ${g.level} on ${g.tree} from ${p.name}`} onClick={() => memoryRpc('grant.remove', { space: space.slug, principal: p.id, tree: g.tree }).then(reload, setError)}>×</button>
                    </span>
                  ))}</td>
                  <td>{p.id !== me.id && <>
                    <Action run={async () => { await memoryRpc('member.setRole', { space: space.slug, principal: p.id, role: p.role === 'admin' ? 'member' : 'admin' }); reload(); }}>{p.role === 'admin' ? 'Make member' : 'Make admin'}</Action>
                    <Action kind="danger" run={async () => { await memoryRpc('member.remove', { space: space.slug, principal: p.id }); reload(); }}>Remove</Action>
                  </>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Give access</h3>
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); setError(null); void addGrant(e.target as HTMLFormElement).catch(setError); }}>
            <label>Who <select name="principal">{people.data.principals.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}</select></label>
            <label>Tree <input name="tree" placeholder="/projects" /></label>
            <label>Level <select name="level"><option>read</option><option>write</option><option>owner</option></select></label>
            <button type="submit">Grant</button>
          </form>
          <ErrorBanner error={error} />
          <p class="muted">To add someone new, send an <Link href="/settings/invitations">invitation</Link>.</p>
        </>
      )}
    </>
  );
}

function Invitations() {
  const { space, me } = useSession();
  const admin = space.role === 'admin';
  const pending = useLoad(() => userRpc('invite.pending', {}), []);
  const list = useLoad(() => (admin ? userRpc('invite.list', { space: space.slug }) : Promise.resolve(null)), [space.slug]);
  const [made, setMade] = useState<OpOutput<'invite.create'> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const create = async (form: HTMLFormElement) => {
    const d = new FormData(form);
    const email = String(d.get('email') ?? '').trim();
    setMade(await userRpc('invite.create', {
      space: space.slug, ...(email ? { email } : {}), tree: String(d.get('tree') || '/'), level: d.get('level') as 'read',
      role: d.get('role') as 'member', ttlDays: Number(d.get('ttl') || 7), maxUses: Number(d.get('uses') || 1),
    }));
    list.reload();
  };
  return (
    <>
      {pending.data && pending.data.invitations.length > 0 && (
        <>
          <h2>Invitations for you ({me.email})</h2>
          {pending.data.invitations.map((i) => (
            <div key={i.id} class="card" data-testid="pending-invite">
              <p>Join <strong>{i.spaceName}</strong> with {i.level} access to {i.tree}.</p>
              <Action kind="primary" run={async () => { await userRpc('invite.accept', { id: i.id }); location.assign(`/?space=${encodeURIComponent(i.space)}`); }}>Accept</Action>
              <Action run={async () => { await userRpc('invite.decline', { id: i.id }); pending.reload(); }}>Decline</Action>
            </div>
          ))}
        </>
      )}
      {!admin ? <p>Only admins of {space.name} invite people to it.</p> : (
        <>
          <h2>Invite someone to {space.name}</h2>
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); setError(null); void create(e.target as HTMLFormElement).catch(setError); }}>
            <label>Email (empty: a link anyone can use) <input name="email" type="email" placeholder="ana@example.com" /></label>
            <label>Tree <input name="tree" placeholder="/" data-testid="invite-tree" /></label>
            <label>Level <select name="level" data-testid="invite-level"><option>read</option><option selected>write</option><option>owner</option></select></label>
            <label>Role <select name="role"><option>member</option><option>admin</option></select></label>
            <label>Valid for (days) <input name="ttl" type="number" min={1} max={90} defaultValue="7" /></label>
            <label>Uses (links) <input name="uses" type="number" min={1} max={1000} defaultValue="1" /></label>
            <button type="submit" class="primary" data-testid="create-invite">Create invitation</button>
          </form>
          <ErrorBanner error={error ?? list.error} />
          {made && (
            <div class="secret" role="status" data-testid="new-invite">
              {made.link ? (
                <>
                  <p>Send this link. It is shown once.</p>
                  <code data-testid="invite-link">{`${location.origin}/invite/${made.link}`}</code> <CopyButton text={`${location.origin}/invite/${made.link}`} />
                </>
              ) : <p>Invitation for {made.email} created: it appears for them under Settings → Invitations once they sign in.</p>}
            </div>
          )}
          {list.data && (
            <table class="list">
              <thead><tr><th>For</th><th>Access</th><th>Uses</th><th>Expires</th><th /></tr></thead>
              <tbody>
                {list.data.invitations.map((i) => (
                  <tr key={i.id}>
                    <td>{i.email ?? 'link'}</td><td>{i.role}, {i.level} on {i.tree}</td><td>{i.uses}/{i.maxUses}</td>
                    <td>{i.revoked ? 'revoked' : <Time at={i.expiresAt} />}</td>
                    <td>{!i.revoked && <Action kind="danger" run={async () => { await userRpc('invite.revoke', { space: space.slug, id: i.id }); list.reload(); }}>Revoke</Action>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
