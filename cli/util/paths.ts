import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_CONFIG_HOME/me` or `~/.config/me`: config.yaml, credentials, locks. */
export const configDir = (env: NodeJS.ProcessEnv = process.env) =>
  join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'me');

/** `$XDG_CACHE_HOME/me` or `~/.cache/me`: derived data that can be thrown away. */
export const cacheDir = (env: NodeJS.ProcessEnv = process.env) =>
  join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'me');
