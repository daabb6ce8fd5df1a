import { PLAYBOOK } from './playbook.js';

/**
 * What the server says about itself in its `initialize` result: name, capabilities, instructions
 * (the playbook, plus where a bound project's memories live). One definition for the SDK server
 * (mcp/server.ts) and for `me mcp`'s early answer (cli/mcp/early-initialize.ts).
 */
export function serverIdentity(version: string, moreInstructions?: string) {
  return {
    serverInfo: { name: 'memory-engine', title: 'Memory Engine', version },
    capabilities: { tools: { listChanged: false } },
    instructions: moreInstructions ? `${PLAYBOOK}\n\n${moreInstructions}` : PLAYBOOK,
  };
}
export type ServerIdentity = ReturnType<typeof serverIdentity>;
