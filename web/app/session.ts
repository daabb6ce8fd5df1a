import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { OpInput, OpOutput } from '../../contracts/index.js';
import { memoryRpc } from '../lib/rpc.js';

export type Me = OpOutput<'whoami'>;
export type SpaceInfo = Me['spaces'][number];

export interface Session {
  me: Me;
  space: SpaceInfo;
  /** Bumped after every change, so lists reload (tree counts, trash, feed). */
  revision: number;
  changed(): void;
  toast(t: Toast): void;
}

export interface Toast { text: string; action?: { label: string; run: () => Promise<void> | void } }

export const SessionContext = createContext<Session | null>(null);
export const useSession = () => useContext(SessionContext)!;

type MemoryOp = Parameters<typeof memoryRpc>[0];

/** A memory operation in the current space. */
export function useMemoryRpc() {
  const { space } = useSession();
  return <N extends MemoryOp>(method: N, params: Omit<OpInput<N>, 'space'>) =>
    memoryRpc(method, { ...params, space: space.slug } as OpInput<N>);
}

/** The space from `?space=`, else the last one used here, else the personal space. */
export function pickSpace(me: Me, fromUrl: string | null): SpaceInfo | null {
  const bySlug = (s: string | null) => (s ? me.spaces.find((x) => x.slug === s) : undefined);
  return bySlug(fromUrl) ?? bySlug(localStorage.getItem('me.space')) ?? me.spaces.find((s) => s.personal) ?? me.spaces[0] ?? null;
}
