import { join } from 'node:path';
import { Command, Option, UsageError } from 'clipanion';
import { MeCommand } from './base.js';

// `me init`: bind a project directory to a space and tree, for the agents working in it.

const PROJECT_CLIENTS = ['claude-code', 'cursor', 'vscode', 'opencode', 'gemini-cli'] as const;

export class InitCommand extends MeCommand {
  static override paths = [['init']];
  static override usage = Command.Usage({
    category: 'MCP',
    description: 'Bind this project to a space and tree: project MCP config, AGENTS.md/CLAUDE.md, optional session-start recall.',
    details:
      'Writes, in the project root (the nearest directory with .git): the project-scoped MCP config of each chosen client ' +
      '(claude-code .mcp.json, cursor .cursor/mcp.json, vscode .vscode/mcp.json, opencode opencode.json, gemini-cli ' +
      '.gemini/settings.json) pointing at `me mcp --tree <tree>`, so the agent files memories there and searches there ' +
      'first; and a marked section with the memory playbook in short in AGENTS.md (and CLAUDE.md for claude-code). ' +
      '--hooks also adds a Claude Code SessionStart hook (.claude/settings.json) that runs `me recall`, keeping every ' +
      'other hook. The tree defaults to /projects/<directory name>. Shows each change as a diff; running it again ' +
      'changes nothing; --dry-run writes nothing. No secret is written.',
    examples: [
      ['Claude Code, with the default tree', '$0 init'],
      ['Claude Code and VS Code, in space "team", with recall at session start', '$0 init --client claude-code,vscode --space team --hooks'],
      ['See what it would change', '$0 init --dry-run'],
    ],
  });
  tree = Option.String('--tree', { description: 'The project\'s tree (default /projects/<directory name>)' });
  clients = Option.String('--client', 'claude-code', { description: `Comma-separated: ${PROJECT_CLIENTS.join(', ')}` });
  hooks = Option.Boolean('--hooks', false, { description: 'Add a Claude Code SessionStart hook that runs `me recall`' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Show the changes without writing them' });
  maxTokens = Option.String('--max-tokens', '2000', { description: 'The recall hook\'s budget' });

  async execute() {
    const { parseTree } = await import('../../contracts/path-syntax.js');
    const { showTree } = await import('../../contracts/paths.js');
    const { projectRoot, defaultProjectTree, agentsSection, withSection, withRecallHook } = await import('../project/project.js');
    const { planProjectConfig } = await import('../mcp/apply.js');
    const { fileDiff, readConfig, writeAtomic } = await import('../mcp/config-file.js');
    const { meLaunch } = await import('./mcp.js');
    const clients = this.clients.split(',').map((c) => c.trim()).filter(Boolean);
    const unknown = clients.filter((c) => !(PROJECT_CLIENTS as readonly string[]).includes(c));
    if (unknown.length) throw new UsageError(`--client: "${unknown.join('", "')}" has no project config; use ${PROJECT_CLIENTS.join(', ')} (or \`me mcp install\` for a user-wide one)`);
    const root = projectRoot(process.cwd());
    const parsed = parseTree(this.tree ?? defaultProjectTree(root));
    if (!parsed.ok) throw new UsageError(`--tree: ${parsed.error}`);
    const tree = showTree(parsed.value);
    const s = await this.settings();
    const space = this.space ?? s.space;
    const launch = meLaunch(s.server, space, tree);

    const changes: { file: string; before: string; after: string }[] = [];
    for (const c of clients as (typeof PROJECT_CLIENTS)[number][]) {
      const plan = planProjectConfig(c, root, launch)!;
      changes.push(plan);
    }
    const section = agentsSection(space, tree);
    for (const name of ['AGENTS.md', ...(clients.includes('claude-code') ? ['CLAUDE.md'] : [])]) {
      const file = join(root, name);
      const before = readConfig(file);
      changes.push({ file, before, after: withSection(before, section) });
    }
    if (this.hooks) {
      const file = join(root, '.claude', 'settings.json');
      const recall = [launch.command, launch.args[0]!, 'recall', '--server', s.server, ...(space ? ['--space', space] : []), '--tree', tree, '--max-tokens', this.maxTokens];
      changes.push({ file, before: readConfig(file), after: withRecallHook(file, recall.map(shellWord).join(' ')) });
    }

    const changed = changes.filter((c) => c.after !== c.before);
    const diffs = changed.map((c) => fileDiff(c.file, c.before, c.after)).join('\n');
    if (!this.dryRun) for (const c of changed) writeAtomic(c.file, c.after);
    await this.emit({ root, space: space ?? null, tree, dryRun: this.dryRun, changed: changed.map((c) => c.file), diff: diffs }, () =>
      changed.length === 0
        ? `${root} is already bound to ${tree}${space ? ` in space "${space}"` : ''}; nothing to change.`
        : `${diffs}\n${this.dryRun ? 'Would change' : 'Changed'} ${changed.length} file${changed.length === 1 ? '' : 's'}; agents in ${root} now use ${tree}${space ? ` in space "${space}"` : ''}.`);
    return 0;
  }
}

const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
