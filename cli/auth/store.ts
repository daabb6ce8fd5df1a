import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from '../util/paths.js';
import type { TokenSet } from './token-set.js';

// One token set per server: in the OS keychain when there is one, else in a 0600 JSON file under the
// config dir (headless Linux usually has no Secret Service). A file entry always wins on read, so a
// machine that lost its keychain keeps working.
const SERVICE = 'memory-engine-cli';

export const credentialsFile = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), 'credentials.json');

export type StoreKind = 'keychain' | 'file';

type Keyring = typeof import('@napi-rs/keyring');
let keyringModule: Promise<Keyring | null> | undefined;
function keyring(env: NodeJS.ProcessEnv): Promise<Keyring | null> {
  if (env.ME_KEYRING === 'off' || env.ME_KEYRING === 'file') return Promise.resolve(null);
  return (keyringModule ??= import('@napi-rs/keyring').catch(() => null));
}

function readFile(env: NodeJS.ProcessEnv): Record<string, TokenSet> {
  try {
    return JSON.parse(readFileSync(credentialsFile(env), 'utf8')) as Record<string, TokenSet>;
  } catch {
    return {};
  }
}

function writeFile(all: Record<string, TokenSet>, env: NodeJS.ProcessEnv) {
  const file = credentialsFile(env);
  mkdirSync(configDir(env), { recursive: true, mode: 0o700 });
  if (Object.keys(all).length === 0) {
    rmSync(file, { force: true });
    return;
  }
  // Write-then-rename: a crash never leaves a half-written file (and a rotated refresh token is never lost).
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export async function loadTokenSet(server: string, env: NodeJS.ProcessEnv = process.env): Promise<TokenSet | null> {
  const fromFile = readFile(env)[server];
  if (fromFile) return fromFile;
  const k = await keyring(env);
  if (!k) return null;
  try {
    const raw = new k.Entry(SERVICE, server).getPassword();
    return raw ? (JSON.parse(raw) as TokenSet) : null;
  } catch {
    return null;
  }
}

/** Where the token set for a server is kept (the file wins, as in loadTokenSet), or null. */
export async function tokenSetLocation(server: string, env: NodeJS.ProcessEnv = process.env): Promise<StoreKind | null> {
  if (readFile(env)[server]) return 'file';
  const k = await keyring(env);
  if (!k) return null;
  try {
    return new k.Entry(SERVICE, server).getPassword() ? 'keychain' : null;
  } catch {
    return null;
  }
}

/** Saves the token set; returns where it went. */
export async function saveTokenSet(set: TokenSet, env: NodeJS.ProcessEnv = process.env): Promise<StoreKind> {
  const k = await keyring(env);
  if (k) {
    try {
      new k.Entry(SERVICE, set.server).setPassword(JSON.stringify(set));
      const all = readFile(env);
      if (all[set.server]) {
        delete all[set.server];
        writeFile(all, env);
      }
      return 'keychain';
    } catch { /* no usable keychain (e.g. no Secret Service on a headless box): use the file */ }
  }
  const all = readFile(env);
  all[set.server] = set;
  writeFile(all, env);
  return 'file';
}

export async function deleteTokenSet(server: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  let removed = false;
  const all = readFile(env);
  if (all[server]) {
    delete all[server];
    writeFile(all, env);
    removed = true;
  }
  const k = await keyring(env);
  if (k) {
    try {
      removed = new k.Entry(SERVICE, server).deletePassword() || removed;
    } catch { /* nothing stored there */ }
  }
  return removed;
}
