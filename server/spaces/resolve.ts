import { AppError } from '../../contracts/errors.js';
import type { Caller, Services, SpaceRef } from '../context.js';


/**
 * The space an operation acts on: the one named in the call, else the connection's default (a
 * header or the space chosen at consent), else the caller's personal space, else their only one.
 * An unknown space and one the caller is not a member of give the same answer.
 */
export async function resolveSpace(svc: Services, caller: Caller, requested: string | undefined): Promise<SpaceRef> {
  const slug = requested ?? caller.defaultSpace;
  const key = `${caller.principalId}\u0000${slug ?? ''}`;
  // Memberships are cached briefly (the hot path, one memory read, then costs one query); grants
  // are never cached: every memory query checks them itself.
  const hit = svc.caches.spaces.get(key);
  if (hit) return hit;
  const rows = slug
    ? await svc.sql<(SpaceRef & { mine: boolean })[]>`select s.id, s.slug, s.name, s.personal, sm.role, false as mine from core.space s
        join core.space_member sm on sm.space_id = s.id and sm.principal_id = ${caller.principalId}
        where s.slug = ${slug}`
    : await svc.sql<(SpaceRef & { mine: boolean })[]>`select s.id, s.slug, s.name, s.personal, sm.role,
          (s.personal and s.created_by = ${caller.principalId}) as mine
        from core.space s join core.space_member sm on sm.space_id = s.id and sm.principal_id = ${caller.principalId}
        order by mine desc, s.id limit 2`;
  if (!slug && rows.length > 1 && !rows[0]!.mine) {
    throw new AppError('VALIDATION_ERROR', 'space: you belong to several spaces; name one with the `space` parameter or the X-Me-Space header (see space.list)', { reason: 'SPACE_AMBIGUOUS' });
  }
  const row = rows[0];
  const space: SpaceRef | undefined = row && { id: row.id, slug: row.slug, name: row.name, personal: row.personal, role: row.role };
  if (!space) {
    throw slug
      ? new AppError('NOT_FOUND', `space "${slug}" not found, or you are not a member of it (see space.list)`, { reason: 'SPACE_NOT_FOUND' })
      : new AppError('NOT_FOUND', 'you do not belong to any space yet; create one with space.create', { reason: 'SPACE_NOT_FOUND' });
  }
  svc.caches.spaces.set(key, space);
  return space;
}
