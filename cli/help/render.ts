import { optionText, usageLine, type CommandSpec } from './spec.js';

// `me --help`, `me <group>` and `me <command> --help`, rendered from the command specs.

const WIDTH = 80;
const CATEGORIES = ['General', 'Memories', 'Spaces', 'Access', 'MCP'];

/** Word-wraps text to WIDTH with `indent` on every line (paragraphs kept). */
export function wrap(text: string, indent = '', width = WIDTH): string {
  return text.split(/\n\s*\n/).map((para) => {
    const lines: string[] = [];
    let line = indent;
    for (const word of para.replace(/\s+/g, ' ').trim().split(' ')) {
      if (line.trim() && line.length + 1 + word.length > width) {
        lines.push(line);
        line = indent + word;
      } else line = line.trim() ? `${line} ${word}` : indent + word;
    }
    lines.push(line);
    return lines.join('\n');
  }).join('\n\n');
}

/** Two columns: left padded, right wrapped; a long left cell puts the right one on the next line. */
function columns(rows: [string, string][], indent = '  ', max = 36, width = Math.min(max, Math.max(...rows.map(([l]) => l.length))), lineWidth = WIDTH): string {
  const pad = indent + ' '.repeat(width + 2);
  return rows.map(([left, right]) => {
    const body = wrap(right, pad, lineWidth).trimStart();
    return left.length <= width ? `${indent}${left.padEnd(width + 2)}${body}` : `${indent}${left}\n${pad}${body}`;
  }).join('\n');
}

/** The everyday commands first, in the order people meet them; the rest keep their registration order. */
const FIRST = ['login', 'whoami', 'status', 'doctor', 'serve', 'remember', 'get', 'search', 'tree', 'count', 'edit', 'mv', 'cp', 'rm', 'history', 'revert', 'trash', 'restore', 'import', 'export'];

function byCategory(specs: CommandSpec[]): [string, CommandSpec[]][] {
  const rank = (s: CommandSpec) => {
    const i = FIRST.indexOf(s.paths[0]!.join(' '));
    return i < 0 ? FIRST.length : i;
  };
  const groups = new Map<string, CommandSpec[]>();
  for (const s of [...specs].sort((a, b) => rank(a) - rank(b))) groups.set(s.category, [...(groups.get(s.category) ?? []), s]);
  const order = (c: string) => (CATEGORIES.includes(c) ? CATEGORIES.indexOf(c) : CATEGORIES.length);
  return [...groups].sort(([a], [b]) => order(a) - order(b));
}

export const GLOBAL_HELP = `Options of every command:
  --server <url>       Server URL (else ME_SERVER, else the config file, else http://127.0.0.1:3210)
  -s, --space <slug>   Space to use (else ME_SPACE, else the config file's space, else your default space)
  --json | --yaml      Print the result as JSON or YAML (stable shapes: the operation's output)
  -h, --help           Help for a command

Environment: ME_SERVER, ME_SPACE, ME_API_KEY (an API key or personal access token: used instead of \`me login\`).
Config: ~/.config/me/config.yaml (XDG_CONFIG_HOME); exit codes: 0 ok, 1 error, 2 usage.
`;

/** `me --help`: every command once, by its shortest form, grouped. */
export function topHelp(specs: CommandSpec[], version: string): string {
  const out = [`Memory Engine ${version}: memories for agents and the people who work with them.`, '', 'Usage: me <command> [arguments] [options]', ''];
  const groups = byCategory(specs);
  const lines = groups.map(([, list]) => list.map((s): [string, string] => [usageLine(s), s.description]));
  const width = Math.min(32, Math.max(...lines.flat().map(([l]) => l.length)));
  groups.forEach(([category], i) => out.push(category, columns(lines[i]!, '  ', 32, width, 110), ''));
  out.push('Run `me <command> --help` for its options and examples; `me completion bash|zsh|fish` for tab completion.', '', GLOBAL_HELP);
  return out.join('\n');
}

/** `me space`: the commands under a group word. */
export function groupHelp(specs: CommandSpec[], group: string[]): string {
  const list = specs.filter((s) => s.paths.some((p) => group.every((w, i) => p[i] === w) && p.length > group.length));
  const rows = list.map((s): [string, string] => {
    const path = s.paths.find((p) => group.every((w, i) => p[i] === w))!;
    return [usageLine(s, path), s.description];
  });
  return `Commands under \`me ${group.join(' ')}\`:\n\n${columns(rows)}\n\nRun \`me ${group.join(' ')} <command> --help\` for its options and examples.\n`;
}

/** `me <command> --help` (with `all`, also the commands under it, e.g. `me mcp install` under `me mcp`). */
export function commandHelp(spec: CommandSpec, typed?: string[], all: CommandSpec[] = []): string {
  const path = (typed && spec.paths.find((p) => p.join(' ') === typed.join(' '))) ?? spec.paths[0]!;
  const visible = spec.options.filter((o) => !o.hidden);
  const out = [wrap(spec.description), '', 'Usage', `  ${usageLine(spec, path)}${visible.length ? ' [options]' : ''}`];
  const others = spec.paths.filter((p) => p !== path);
  if (others.length) out.push(`  (also: ${others.map((p) => `me ${p.join(' ')}`).join(', ')})`);
  const below = all.filter((s) => s !== spec && s.paths.some((p) => p.length > path.length && path.every((w, i) => p[i] === w)));
  if (below.length) {
    out.push('', 'Commands under it', columns(below.map((s) => [usageLine(s, s.paths.find((p) => path.every((w, i) => p[i] === w))!), s.description])));
  }
  if (visible.length) out.push('', 'Options', columns(visible.map((o) => [optionText(o), o.description || ''])));
  if (spec.details) out.push('', wrap(spec.details));
  if (spec.examples.length) {
    out.push('', 'Examples');
    for (const [what, line] of spec.examples) out.push(`  ${what}`, `  $ ${line.replace(/\$0/g, 'me')}`, '');
    out.pop();
  }
  out.push('', GLOBAL_HELP);
  return out.join('\n');
}
