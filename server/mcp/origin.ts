// DNS rebinding protection for /mcp: the Host must be this server's, and a browser's Origin (when
// sent) must be this server's origin. A page on evil.example that rebinds its name to 127.0.0.1
// reaches us with Host/Origin evil.example and is turned away before anything else happens.

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface OriginPolicy {
  hostAllowed(host: string | null): boolean;
  originAllowed(origin: string | null): boolean;
}

/** Allowed: the public origin and the listen origin; on loopback also its other loopback names. */
export function originPolicy(origins: () => string[]): OriginPolicy {
  const allowed = () => {
    const hosts = new Set<string>();
    const full = new Set<string>();
    for (const o of origins()) {
      const u = new URL(o);
      hosts.add(u.host);
      full.add(u.origin);
      // Listening on loopback or on every interface: the loopback names reach us too.
      if (LOOPBACK.has(u.hostname) || u.hostname === '0.0.0.0' || u.hostname === '[::]') {
        for (const name of LOOPBACK) {
          const host = u.port ? `${name}:${u.port}` : name;
          hosts.add(host);
          full.add(`${u.protocol}//${host}`);
        }
      }
    }
    return { hosts, full };
  };
  return {
    hostAllowed: (host) => host !== null && allowed().hosts.has(host.toLowerCase()),
    // Non-browser clients send no Origin; browsers always do on a cross-origin POST.
    originAllowed: (origin) => origin === null || allowed().full.has(origin.toLowerCase()),
  };
}
