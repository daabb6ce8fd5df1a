import { PLAYBOOK } from '../../mcp/playbook.js';

const START = '<!-- playbook:start (generated from mcp/playbook.ts by `npm run docs`) -->';
const END = '<!-- playbook:end -->';

/** MCP_CONNECTOR.md with its playbook section replaced by the one the servers send. */
export function withPlaybook(doc: string): string {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`MCP_CONNECTOR.md has no playbook markers (${START} … ${END})`);
  return `${doc.slice(0, a + START.length)}\n\n\`\`\`markdown\n${PLAYBOOK}\n\`\`\`\n\n${doc.slice(b)}`;
}
