import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../util/paths.js';
import type { OpSpec } from './types.js';

// Deriving the specs imports zod and every contract (~60 ms). The result depends only on the contract
// modules, so it is cached keyed by their path, size and mtime; any rebuild of the contracts invalidates it.
const contractsDir = fileURLToPath(new URL('../../contracts/', import.meta.url));

function fingerprint(): string {
  const files = readdirSync(contractsDir).filter((f) => /\.(js|ts)$/.test(f)).sort();
  return contractsDir + '|' + files.map((f) => {
    const s = statSync(join(contractsDir, f));
    return `${f}:${s.size}:${s.mtimeMs}`;
  }).join('|');
}

let loaded: Promise<OpSpec[]> | undefined;

/** The specs of every operation, from the cache when it is current, else derived from the contracts. */
export function loadSpecs(): Promise<OpSpec[]> {
  return (loaded ??= (async () => {
    const file = join(cacheDir(), 'ops.json');
    const fp = fingerprint();
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as { fingerprint: string; specs: OpSpec[] };
      if (cached.fingerprint === fp) return cached.specs;
    } catch { /* absent or unreadable: derive */ }
    const { deriveSpecs } = await import('./derive.js');
    const specs = deriveSpecs();
    try {
      mkdirSync(cacheDir(), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ fingerprint: fp, specs }));
      renameSync(tmp, file);
    } catch { /* a read-only home only costs speed */ }
    return specs;
  })());
}

export async function findSpec(name: string): Promise<OpSpec | undefined> {
  return (await loadSpecs()).find((s) => s.name === name);
}
