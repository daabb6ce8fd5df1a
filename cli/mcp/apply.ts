import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileDiff, readConfig, withEntry, withoutEntry, writeAtomic } from './config-file.js';
import { CLIENTS, type Launch, type McpClient } from './install.js';

/** A change to one config file, computed before anything is written: shown (--dry-run, diff) or applied. */
export interface FilePlan {
  file: string;
  before: string;
  after: string;
  diff: string;
  apply(): void;
}

function plan(file: string, before: string, after: string): FilePlan {
  return { file, before, after, diff: fileDiff(file, before, after), apply: () => { if (after !== before) writeAtomic(file, after); } };
}

/** OpenCode reads opencode.jsonc when it is there, else opencode.json. */
function existingVariant(file: string): string {
  const c = file.replace(/\.json$/, '.jsonc');
  return file.endsWith('.json') && !existsSync(file) && existsSync(c) ? c : file;
}

function userFile(client: McpClient): string {
  const file = CLIENTS[client].userFile(process.env, process.platform);
  if (!file) throw new Error(`${CLIENTS[client].label} is configured through its own CLI`);
  return existingVariant(file);
}

function entryPlan(client: McpClient, file: string, launch: Launch) {
  const spec = CLIENTS[client];
  const entry = spec.entry(launch);
  const before = readConfig(file);
  const after = withEntry(file, before, spec.format, spec.key, entry);
  const replaced = withoutEntry(file, before, spec.format, spec.key).removed;
  const entryText = spec.format === 'toml' ? after.slice(after.lastIndexOf(`[${spec.key[0]}.`)) : JSON.stringify({ [spec.key[0]!]: { [spec.key[1]!]: entry } }, null, 2);
  const fragment = { [spec.key[0]!]: { [spec.key[1]!]: entry } };
  return { ...plan(file, before, after), entry, fragment, entryText, replaced };
}

/** Our entry in a client's user-wide config. */
export const planUserConfig = (client: McpClient, launch: Launch) => entryPlan(client, userFile(client), launch);

/** Our entry in a project's config for a client (`me init`), or null when the client has no project config. */
export function planProjectConfig(client: McpClient, dir: string, launch: Launch) {
  const rel = CLIENTS[client].projectFile;
  return rel ? entryPlan(client, existingVariant(join(dir, rel)), launch) : null;
}

/** Our entry removed from a client's user-wide config. */
export function planUserRemoval(client: McpClient) {
  const spec = CLIENTS[client];
  const file = userFile(client);
  const before = readConfig(file);
  const { text, removed } = withoutEntry(file, before, spec.format, spec.key);
  return { ...plan(file, before, text), removed };
}
