import { Command, Option, UsageError } from 'clipanion';
import { MeCommand } from './base.js';

// `me recall`: a project's memories, newest first, within a token budget: what an agent should know
// when a session starts (Claude Code's SessionStart hook prints it into the session, see `me init --hooks`).

/** Tokens are estimated at 4 characters each (English prose and code run 3.5-4.5): the budget is never exceeded by much. */
export const CHARS_PER_TOKEN = 4;
/** One memory takes at most this share of the budget, so one long memory does not crowd out the rest. */
const PER_MEMORY_SHARE = 0.4;

export class RecallCommand extends MeCommand {
  static override paths = [['recall']];
  static override usage = Command.Usage({
    category: 'MCP',
    description: 'Print a project\'s most relevant recent memories within a token budget (for session start).',
    details:
      'Lists the memories under the project\'s tree (default /projects/<directory name>, as `me init` binds it), newest ' +
      'first, or the best matches for --query, as Markdown, stopping before --max-tokens (estimated at 4 characters a ' +
      'token; long memories are cut, with their path to fetch the rest). Prints nothing when there is nothing to recall, ' +
      'so a session-start hook stays quiet.',
    examples: [
      ['In a project directory', '$0 recall'],
      ['A smaller budget, about one topic', '$0 recall --max-tokens 800 --query "release process"'],
    ],
  });
  tree = Option.String('--tree', { description: 'The tree to recall from (default /projects/<directory name>)' });
  maxTokens = Option.String('--max-tokens', '2000', { description: 'The budget, in tokens (default 2000)' });
  query = Option.String('--query,-q', { description: 'Recall what matches this instead of the newest' });

  async execute() {
    const budget = Number(this.maxTokens);
    if (!Number.isInteger(budget) || budget < 50 || budget > 200_000) throw new UsageError('--max-tokens: give a whole number from 50 to 200000');
    const { defaultProjectTree, projectRoot } = await import('../project/project.js');
    const tree = this.tree ?? defaultProjectTree(projectRoot(process.cwd()));
    const client = await this.client();
    const found = (await client.call('memory.search', { tree, ...(this.query ? { query: this.query } : {}), limit: 50, fields: ['content', 'updatedAt'] })) as {
      results: { path: string; id: string; name: string | null; content?: string; updatedAt?: string }[];
    };
    const text = recallText(tree, found.results, budget);
    await this.emit({ tree, budget, results: found.results.length, text }, () => text);
    return 0;
  }
}

/** The memories as Markdown, whole or cut, until the budget (in estimated tokens) is spent. */
export function recallText(tree: string, results: { path: string; id: string; name: string | null; content?: string; updatedAt?: string }[], budget: number): string {
  if (results.length === 0) return '';
  const limit = budget * CHARS_PER_TOKEN - tree.length - 30; // room for the closing "(n more under …)" line
  const head = `# Memory Engine: recent memories under ${tree}\n\nSearch for more with me_memory_search; open one with me_memory_get.\n`;
  let out = head;
  let shown = 0;
  for (const r of results) {
    const title = `\n## ${r.name ? r.path : `${r.path} (id ${r.id})`}${r.updatedAt ? ` · ${r.updatedAt.slice(0, 10)}` : ''}\n\n`;
    const room = Math.min(limit - out.length - title.length - 1, Math.floor(limit * PER_MEMORY_SHARE));
    if (room < 80) break;
    const content = (r.content ?? '').trim();
    const cut = ` … (cut; me_memory_get ${r.id})`;
    const body = content.length <= room ? content : `${content.slice(0, room - cut.length).replace(/\s+\S*$/, '')}${cut}`;
    out += `${title}${body}\n`;
    shown++;
  }
  if (shown < results.length) out += `\n(${results.length - shown} more under ${tree})\n`;
  return out;
}
