import { z } from 'zod';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { toolName, type Contract } from '../contracts/define.js';
import { contracts } from '../contracts/index.js';

/** An MCP tool and the registry contract it comes from (no second schema anywhere). */
export interface ToolEntry { contract: Contract; tool: Tool }

type Json = Record<string, unknown>;

/**
 * Zod → JSON Schema, trimmed for agents: no `$schema`, and no generated regex next to
 * `format: date-time` (a 400-character pattern helps no model; the server validates anyway).
 */
function jsonSchema(schema: z.ZodType): Tool['inputSchema'] {
  const trim = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(trim);
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node as Json)) {
      if (k === '$schema') continue;
      if (k === 'pattern' && (node as Json).format === 'date-time') continue;
      out[k] = trim(v);
    }
    return out;
  };
  return trim(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })) as Tool['inputSchema'];
}

let cached: ToolEntry[] | undefined;

/** Every contract marked `tool: true`, as MCP tools, in registry order. */
export function toolEntries(): ToolEntry[] {
  cached ??= contracts
    .filter((c) => c.tool)
    .map((contract) => ({
      contract,
      tool: {
        name: toolName(contract.name),
        title: contract.summary.replace(/\.$/, ''),
        description: contract.description,
        inputSchema: jsonSchema(contract.input),
        // Handlers return the output schema's input side (dates already ISO strings, no defaults applied).
        outputSchema: jsonSchema(contract.output) as Tool['outputSchema'],
        annotations: {
          title: contract.summary.replace(/\.$/, ''),
          readOnlyHint: contract.hints.readOnly,
          destructiveHint: contract.hints.destructive,
          idempotentHint: contract.hints.idempotent,
          openWorldHint: false,
        },
      },
    }));
  return cached;
}

let byName: Map<string, ToolEntry> | undefined;

export function findTool(name: string): ToolEntry | undefined {
  byName ??= new Map(toolEntries().map((e) => [e.tool.name, e]));
  return byName.get(name);
}
