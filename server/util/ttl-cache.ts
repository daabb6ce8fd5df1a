/**
 * A small map whose entries expire. Each server instance owns its caches (server/caches.ts): two
 * servers in one process (tests, replicas) never share one. Bounded: when full it starts over, which
 * costs a few lookups and never serves anything stale.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly ttlMs: number, private readonly max = 10_000) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until > Date.now()) return hit.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Remembers a value for the TTL, or until `notAfter` (ms since epoch) if that comes first. */
  set(key: string, value: V, notAfter = Infinity) {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until: Math.min(Date.now() + this.ttlMs, notAfter) });
  }

  /** Drops every entry whose value matches (e.g. all cached verifications of a revoked key). */
  deleteWhere(match: (value: V) => boolean) {
    for (const [k, v] of this.entries) if (match(v.value)) this.entries.delete(k);
  }

  clear() {
    this.entries.clear();
  }
}
