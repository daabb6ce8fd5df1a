import type { TxSql } from '../../db/connect.js';
import type { Services } from '../context.js';
import { createSpace } from '../spaces/handlers.js';

export interface SignedInUser { id: string; name: string; email: string | null }

/** A personal space slug from the name or email: lowercase letters, digits and dashes. */
export function personalSlug(user: SignedInUser): string {
  const source = user.name?.trim() || user.email?.split('@')[0] || 'user';
  const slug = source.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return /^[a-z0-9]/.test(slug) ? slug : `user${slug ? '-' + slug : ''}`;
}

/**
 * Makes sure a signed-in user exists in core: a principal with the same id as auth.users, a
 * personal space (slug from the name, made unique), and the user as its admin with owner on '/'.
 * Idempotent and race-safe: the principal insert is `on conflict do nothing`, so of two concurrent
 * first requests one inserts (and creates the space in the same transaction) and the other waits
 * for it, then finds the row.
 */
export async function ensureProvisioned(svc: Pick<Services, 'sql' | 'caches'>, user: SignedInUser): Promise<void> {
  // Known principals cost nothing after the first call on this server.
  const { sql, caches } = svc;
  if (caches.provisioned.has(user.id)) return;
  await sql.begin(async (tx) => {
    const [inserted] = await tx<{ id: string }[]>`
      insert into core.principal (id, kind, name, email)
      values (${user.id}, 'user', ${user.name.slice(0, 200) || 'user'},
        -- The email is unique among principals; leave it off rather than fail if it is taken.
        (select ${user.email}::text where ${user.email}::text is not null
           and not exists (select 1 from core.principal where lower(email) = lower(${user.email}::text))))
      on conflict (id) do nothing
      returning id`;
    if (inserted) await createPersonalSpace(tx, user);
  });
  if (caches.provisioned.size > 100_000) caches.provisioned.clear();
  caches.provisioned.add(user.id);
}

async function createPersonalSpace(tx: TxSql, user: SignedInUser) {
  const base = personalSlug(user);
  const taken = new Set((await tx<{ slug: string }[]>`select slug from core.space where slug = ${base} or slug like ${base + '-%'}`).map((r) => r.slug));
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  // A concurrent sign-up may take the same slug: retry under a savepoint with a random suffix.
  for (let attempt = 0; ; attempt++) {
    try {
      await tx.savepoint((sp) => createSpace(sp, user.id, slug, `${user.name || slug}'s space`.slice(0, 200), true));
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '23505' || attempt >= 4) throw err;
      slug = `${base}-${Math.random().toString(36).slice(2, 7)}`;
    }
  }
}
