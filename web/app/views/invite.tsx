import { useState } from 'preact/hooks';
import type { OpOutput } from '../../../contracts/index.js';
import { userRpc } from '../../lib/rpc.js';
import type { Me } from '../session.js';
import { Action } from '../ui.js';

/** /invite/<inv.…>: a signed-in person joins the space the link is for. */
export function InvitePage({ token, me, onJoined }: { token: string; me: Me; onJoined: () => void }) {
  const [joined, setJoined] = useState<OpOutput<'invite.redeem'> | null>(null);
  return (
    <main class="center narrow">
      <h1>Invitation</h1>
      {joined ? (
        <div data-testid="invite-joined">
          <p>You joined <strong>{joined.spaceName}</strong> with {joined.level} access to {joined.tree}.</p>
          <a class="button primary" href={`/?space=${encodeURIComponent(joined.space)}`} data-reload>Open {joined.spaceName}</a>
        </div>
      ) : (
        <>
          <p>You are signed in as <strong>{me.name}</strong>{me.email && ` (${me.email})`}. Accept this invitation to join the space it is for.</p>
          <Action kind="primary" testid="accept-invite" run={async () => { setJoined(await userRpc('invite.redeem', { link: token })); onJoined(); }}>Accept invitation</Action>
          <p><a href="/">Not now</a></p>
        </>
      )}
    </main>
  );
}
