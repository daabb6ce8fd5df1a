import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { OpOutput } from '../../../contracts/index.js';
import { RpcError, userRpc } from '../../lib/rpc.js';
import '../../lib/style.css';

// Connected applications (MCP clients, OAuth apps) the signed-in user approved, with Disconnect.
// The same operations as `me connector list|revoke`.

type Connector = OpOutput<'connector.list'>['connectors'][number];

const explain = (e: unknown) => e instanceof RpcError && e.status === 401 ? 'Sign in first (open /login), then come back to this page.' : (e as Error).message;

function ConnectionsPage() {
  const [list, setList] = useState<Connector[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => userRpc('connector.list', {}).then((r) => setList(r.connectors), (e) => setError(explain(e)));
  useEffect(() => { void load(); }, []);

  const disconnect = async (c: Connector) => {
    try {
      await userRpc('connector.revoke', { clientId: c.clientId });
      await load();
    } catch (e) {
      setError(explain(e));
    }
  };

  return (
    <main>
      <h1>Connected applications</h1>
      <p class="sub">Applications you allowed to use your Memory Engine.</p>
      {error && <div class="banner" role="alert" data-testid="error">{error}</div>}
      {list === null && !error && <p class="note">Loading…</p>}
      {list?.length === 0 && <p data-testid="empty">No connected applications.</p>}
      {list?.map((c) => (
        <section key={c.clientId} data-testid="connector" data-client-id={c.clientId}>
          <h2 style="font-size:1rem;margin:1rem 0 0.25rem">{c.name ?? c.clientId}</h2>
          <p class="note">
            Signs in at {c.redirectHosts.join(', ')} · {c.scopes.join(', ')} · space {c.space ?? 'personal'} · since {new Date(c.approvedAt).toLocaleDateString()}
          </p>
          <button data-testid="disconnect" onClick={() => disconnect(c)}>Disconnect</button>
        </section>
      ))}
    </main>
  );
}

render(<ConnectionsPage />, document.getElementById('app')!);
