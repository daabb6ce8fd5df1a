import { z } from 'zod';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { toolName, type Contract } from '../contracts/define.js';
import { contracts } from '../contracts/index.js';
import { idSchema, memoryPathSchema, treeSchema } from '../contracts/memory-shapes.js';

/** An MCP tool and the registry contract it comes from (no second schema anywhere). */
export interface ToolEntry { contract: Contract; tool: Tool }

type Json = Record<string, unknown>;

// Every tools/list is paid for in every conversation, so the tools are lean: the contract's own
// schema, trimmed of what helps no model (the server validates everything anyway), no output schema
// (results come as compact text with structuredContent beside it), and only non-default hints.

/** Keys an agent never needs: string length bounds, `$schema`, JSON Schema's empty "any" markers. */
const DROP = new Set(['$schema', 'maxLength', 'minLength', 'additionalProperties']);

/**
 * Shared definitions: the parameters every memory tool takes (`space`) and the generic meaning of a
 * tree path, a memory path and an id are explained once, in the instructions (mcp/playbook.ts), not
 * in each tool. A parameter with a meaning of its own ("only memories below this tree") keeps it.
 */
const SHARED = new Set(['space']);
const SHARED_MEANINGS = new Set([treeSchema.description, memoryPathSchema.description, idSchema.description]);

/**
 * Zod → JSON Schema for agents: without the keys above, without the generated regex next to
 * `format: date-time` or `uuid`, without 32-bit integer bounds or `default: false`, with
 * `anyOf [X, null]` written as X with `type: [X's type, "null"]`, and the shared parameters' own
 * descriptions left to the instructions.
 */
export function agentSchema(schema: z.ZodType): Tool['inputSchema'] {
  const trim = (node: unknown, key = ''): unknown => {
    if (Array.isArray(node)) return node.map((n) => trim(n));
    if (!node || typeof node !== 'object') return node;
    const n = node as Json;
    const any = n.anyOf as Json[] | undefined;
    if (any?.length === 2 && any[1]?.type === 'null' && typeof any[0]?.type === 'string') {
      const { anyOf: _drop, ...rest } = n;
      return trim({ ...any[0], ...rest, type: [any[0].type, 'null'] }, key);
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(n)) {
      if (DROP.has(k) && !(k === 'additionalProperties' && v !== null && typeof v === 'object' && Object.keys(v).length)) continue;
      if (k === 'pattern' && (n.format === 'date-time' || n.format === 'uuid')) continue;
      if ((k === 'maximum' && Number(v) >= 2 ** 31 - 1) || (k === 'minimum' && Number(v) <= -(2 ** 31))) continue;
      if (k === 'default' && v === false) continue;
      if (k === 'description' && (SHARED.has(key) || SHARED_MEANINGS.has(v as string))) continue;
      out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, d]) => [p, trim(d, p)])) : trim(v);
    }
    return out;
  };
  return trim(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })) as Tool['inputSchema'];
}

/** MCP's defaults are readOnly false, destructive true, idempotent false, openWorld true: say only what differs. */
function annotations(c: Contract): Tool['annotations'] {
  if (c.hints.readOnly) return { readOnlyHint: true, openWorldHint: false };
  return { ...(c.hints.destructive ? {} : { destructiveHint: false }), ...(c.hints.idempotent ? { idempotentHint: true } : {}), openWorldHint: false };
}

/** The tool's own defaults (contract.toolDefaults) shown where the agent looks for them. */
function withDefaults(schema: Tool['inputSchema'], defaults: Record<string, unknown> | undefined): Tool['inputSchema'] {
  if (!defaults) return schema;
  const properties = { ...schema.properties } as Record<string, Json>;
  for (const [k, v] of Object.entries(defaults)) properties[k] = { ...properties[k], default: v };
  return { ...schema, properties };
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
        inputSchema: withDefaults(agentSchema(contract.input), contract.toolDefaults),
        annotations: annotations(contract),
      },
    }));
  return cached;
}

let byName: Map<string, ToolEntry> | undefined;

export function findTool(name: string): ToolEntry | undefined {
  byName ??= new Map(toolEntries().map((e) => [e.tool.name, e]));
  return byName.get(name);
}
