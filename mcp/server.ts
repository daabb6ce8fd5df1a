import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { PLAYBOOK } from './playbook.js';
import { renderResult, shapeResult } from './render.js';
import { findTool, toolEntries, type ToolEntry } from './tools.js';

/** Runs one tool's operation (in-process for /mcp, over HTTP for `me mcp`); throws to fail. */
export type ToolExecutor = (entry: ToolEntry, args: Record<string, unknown>) => Promise<unknown>;

/** What a failed tool call tells the agent: a message it can act on. Anything else is a bug. */
export interface ToolFailure { code: string; message: string }
export type ClassifyError = (err: unknown) => ToolFailure | null;

export const toolError = (message: string): CallToolResult => ({ isError: true, content: [{ type: 'text', text: message }] });

// One validator for every per-request server: the SDK would otherwise build a new Ajv each time
// (about a third of a stateless request's protocol cost). It is only used for elicitation replies.
let validator: AjvJsonSchemaValidator | undefined;

/** An MCP server exposing the registry's tools; one per request (stateless HTTP) or per process (stdio). */
export function createMcpServer(version: string, run: ToolExecutor, classify: ClassifyError, onInternal: (tool: string, err: unknown) => void, more?: { instructions?: string }): Server {
  // The playbook is the instructions; a project binding (`me init`) adds where this project's memories live.
  const instructions = more?.instructions ? `${PLAYBOOK}\n\n${more.instructions}` : PLAYBOOK;
  const server = new Server({ name: 'memory-engine', title: 'Memory Engine', version }, {
    capabilities: { tools: { listChanged: false } }, instructions, jsonSchemaValidator: (validator ??= new AjvJsonSchemaValidator()),
  });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: toolEntries().map((e) => e.tool) }));
  server.setRequestHandler(CallToolRequestSchema, async (req): Promise<CallToolResult> => {
    const entry = findTool(req.params.name);
    if (!entry) return toolError(`unknown tool "${req.params.name}"; list the tools with tools/list`);
    try {
      const result = await run(entry, { ...entry.contract.toolDefaults, ...req.params.arguments });
      const name = entry.tool.name;
      return { structuredContent: shapeResult(name, result), content: [{ type: 'text', text: renderResult(name, result) }] };
    } catch (err) {
      // Tool errors are results, not protocol errors, so the agent can read them and correct itself.
      const failure = classify(err);
      if (failure) return toolError(`${failure.code}: ${failure.message}`);
      onInternal(entry.tool.name, err);
      return toolError('INTERNAL: internal error; it has been logged');
    }
  });
  return server;
}
