import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PLAYBOOK_SHORT } from '../../mcp/playbook.js';
import { readConfig, withEntry } from '../mcp/config-file.js';

// A project directory bound to a space and tree (`me init`): the tree it files under, the AGENTS.md /
// CLAUDE.md section, and Claude Code's SessionStart hook that runs `me recall`.

/** The project's root: the nearest directory with .git, else the directory itself. */
export function projectRoot(dir: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return resolve(dir);
  }
}

/** `/projects/<repo name>`, the name made of tree-label characters (letters, digits, _). */
export function defaultProjectTree(dir: string): string {
  const label = basename(projectRoot(dir)).replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'project';
  return `/projects/${label}`;
}

const START = '<!-- memory-engine:start (written by `me init`; edit outside these markers) -->';
const END = '<!-- memory-engine:end -->';

/** The section `me init` keeps in AGENTS.md / CLAUDE.md: where this project's memories live, and the playbook in short. */
export function agentsSection(space: string | undefined, tree: string): string {
  return [START, '## Memory', '', `This project's memories live in Memory Engine under \`${tree}\`${space ? ` in space \`${space}\`` : ''}.`, '', PLAYBOOK_SHORT, END].join('\n');
}

/** The file's text with our section added (at the end) or replaced in place; everything else kept. */
export function withSection(text: string, section: string): string {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a >= 0 && b > a) return text.slice(0, a) + section + text.slice(b + END.length);
  const body = text.replace(/\s*$/, '');
  return `${body ? `${body}\n\n` : ''}${section}\n`;
}

/** Marks our hook, so re-running `me init --hooks` replaces it instead of adding a second one. */
const HOOK_MARK = '# memory-engine';

interface HookGroup { matcher?: string; hooks: { type: string; command: string; timeout?: number }[] }

/**
 * Claude Code's project settings with a SessionStart hook running `command` (its stdout becomes the
 * session's context), keeping every other hook and setting.
 */
export function withRecallHook(file: string, command: string): string {
  const text = readConfig(file);
  const doc = text.trim() ? (JSON.parse(text) as { hooks?: Record<string, HookGroup[]> }) : {};
  const ours = { type: 'command', command: `${command} ${HOOK_MARK}`, timeout: 30 };
  const groups = (doc.hooks?.SessionStart ?? []).map((g) => ({ ...g, hooks: g.hooks.filter((h) => !h.command?.endsWith(HOOK_MARK)) }));
  const kept = groups.filter((g) => g.hooks.length > 0);
  return withEntry(file, text, 'json', ['hooks', 'SessionStart'], [...kept, { matcher: 'startup|resume|clear|compact', hooks: [ours] }] as never);
}
