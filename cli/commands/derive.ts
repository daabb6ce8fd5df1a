import { Command, Option, UsageError, type CommandClass } from 'clipanion';
import type { Client } from '../client/index.js';
import type { JsonSchema, OpSpec } from '../spec/types.js';
import { MeCommand } from './base.js';

// Commands derived from operation contracts: every input property becomes a flag (its JSON Schema
// type decides how the flag's text is parsed); the server validates the values against the contract.
// Hand-written UX (positional arguments, aliases, routing between contracts) is layered on top.

export interface Positional {
  /** The input property it fills (or a UX-only name that `route` consumes). */
  name: string;
  required?: boolean;
  /** Takes all remaining words, joined with spaces. */
  rest?: boolean;
}

export interface Extra {
  flag: string;
  kind: 'boolean' | 'string';
  description: string;
}

export interface Overlay {
  op: string;
  paths: string[][];
  positional?: Positional[];
  /** Input properties not offered as flags (a positional covers them). */
  hide?: string[];
  extras?: Record<string, Extra>;
  /** Read this property from stdin when it was not given and stdin is not a terminal. */
  stdin?: string;
  examples: [string, string][];
  details?: string;
  /** Picks the operation and params to call (e.g. id vs path); default: the primary op with the flags. */
  route?: (input: RouteInput) => Promise<{ op: string; params: Record<string, unknown> }>;
}

export interface RouteInput {
  params: Record<string, unknown>;
  positional: Record<string, string | undefined>;
  extras: Record<string, unknown>;
  client: () => Promise<Client>;
}

export const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

interface FlagPlan {
  prop: string;
  flag: string;
  kind: 'boolean' | 'number' | 'string' | 'list' | 'json';
  nullable: boolean;
  required: boolean;
  description: string;
}

function unwrap(s: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const alts = s.anyOf ?? s.oneOf;
  if (!alts) return { schema: s, nullable: false };
  const nonNull = alts.filter((a) => a.type !== 'null');
  return { schema: nonNull.length === 1 ? { ...nonNull[0], description: s.description ?? nonNull[0]!.description } : s, nullable: nonNull.length < alts.length };
}

export function planFlags(spec: OpSpec, hide: string[] = []): FlagPlan[] {
  const props = spec.input.properties ?? {};
  const required = new Set(spec.input.required ?? []);
  return Object.entries(props)
    // `space` is the global --space option (sent as X-Me-Space), never a per-command flag.
    .filter(([p]) => p !== 'space')
    .filter(([p]) => !hide.includes(p))
    .map(([prop, raw]) => {
      const { schema, nullable } = unwrap(raw);
      const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
      const kind: FlagPlan['kind'] =
        t === 'boolean' ? 'boolean'
        : t === 'integer' || t === 'number' ? 'number'
        : t === 'string' ? 'string'
        : t === 'array' && (schema.items?.type === 'string' || schema.items?.enum) ? 'list'
        : 'json';
      const bits = [schema.description ?? raw.description ?? ''];
      if (schema.enum) bits.push(`one of: ${schema.enum.join(', ')}`);
      if (schema.items?.enum) bits.push(`any of: ${schema.items.enum.join(', ')} (repeat or comma-separate)`);
      if (kind === 'json') bits.push('(JSON)');
      if (nullable) bits.push('("null" clears it)');
      if (schema.default !== undefined || raw.default !== undefined) bits.push(`default: ${JSON.stringify(schema.default ?? raw.default)}`);
      return { prop, flag: `--${kebab(prop)}`, kind, nullable, required: required.has(prop), description: bits.filter(Boolean).join(' ') };
    });
}

function parseFlag(plan: FlagPlan, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (plan.nullable && value === 'null') return null;
  switch (plan.kind) {
    case 'boolean':
      return value;
    case 'number': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) throw new UsageError(`${plan.flag} expects a number, got "${value}"`);
      return n;
    }
    case 'list':
      return (value as string[]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    case 'json':
      try {
        return JSON.parse(value as string);
      } catch {
        throw new UsageError(`${plan.flag} expects JSON, e.g. ${plan.prop === 'meta' ? `'{"source":"slack"}'` : `'{"start":"2025-01-01T00:00:00Z"}'`}; got: ${value}`);
      }
    default:
      return value;
  }
}

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Builds the clipanion command class for one contract plus its UX overlay. */
export function deriveCommand(spec: OpSpec, overlay: Overlay): CommandClass {
  const flags = planFlags(spec, overlay.hide);
  const positional = overlay.positional ?? [];
  const extras = overlay.extras ?? {};
  const category = spec.endpoint === 'memory' && spec.name.startsWith('memory.') ? 'Memories' : 'Other';

  class Derived extends MeCommand {
    static override paths = overlay.paths;
    static override usage = Command.Usage({
      category,
      description: spec.summary,
      details: [spec.description, overlay.details].filter(Boolean).join('\n\n') + `\n\nOperation: \`${spec.name}\`.` +
        (overlay.paths.length > 1 ? ` Also available as ${overlay.paths.slice(1).map((p) => `\`me ${p.join(' ')}\``).join(', ')}.` : ''),
      examples: overlay.examples,
    });

    constructor() {
      super();
      const self = this as unknown as Record<string, unknown>;
      for (const f of flags) {
        self[`flag_${f.prop}`] =
          f.kind === 'boolean' ? Option.Boolean(f.flag, { description: f.description })
          : f.kind === 'list' ? Option.Array(f.flag, { description: f.description })
          : Option.String(f.flag, { description: f.description });
      }
      for (const [key, e] of Object.entries(extras)) {
        self[`extra_${key}`] = e.kind === 'boolean' ? Option.Boolean(e.flag, false, { description: e.description }) : Option.String(e.flag, { description: e.description });
      }
      for (const p of positional) {
        self[`pos_${p.name}`] = p.rest ? Option.Rest({ name: p.name }) : Option.String({ name: p.name, required: p.required ?? false });
      }
    }

    async execute(): Promise<number> {
      const self = this as unknown as Record<string, unknown>;
      const params: Record<string, unknown> = {};
      for (const f of flags) {
        const v = parseFlag(f, self[`flag_${f.prop}`]);
        if (v !== undefined) params[f.prop] = v;
      }
      const pos: Record<string, string | undefined> = {};
      for (const p of positional) {
        const v = self[`pos_${p.name}`];
        pos[p.name] = p.rest ? ((v as string[]).length ? (v as string[]).join(' ') : undefined) : (v as string | undefined);
        const prop = spec.input.properties?.[p.name];
        if (prop && pos[p.name] !== undefined) {
          if (params[p.name] !== undefined) throw new UsageError(`give ${p.name} either as an argument or as --${kebab(p.name)}, not both`);
          const plan = flags.find((f) => f.prop === p.name) ?? planFlags(spec).find((f) => f.prop === p.name)!;
          params[p.name] = parseFlag(plan, pos[p.name]);
        }
      }
      if (overlay.stdin && params[overlay.stdin] === undefined && !(this.context.stdin as { isTTY?: boolean }).isTTY) {
        const text = await readStdin(this.context.stdin);
        if (text) params[overlay.stdin] = text;
      }
      const ex: Record<string, unknown> = {};
      for (const key of Object.keys(extras)) ex[key] = self[`extra_${key}`];
      const { op, params: finalParams } = overlay.route
        ? await overlay.route({ params, positional: pos, extras: ex, client: () => this.client() })
        : { op: spec.name, params };
      if (op === spec.name) {
        for (const f of planFlags(spec)) {
          if (f.required && finalParams[f.prop] === undefined && f.prop !== 'space') {
            const asArg = positional.some((p) => p.name === f.prop);
            throw new UsageError(`missing ${asArg ? `<${f.prop}> (or ${f.flag})` : f.flag}: ${f.description}`);
          }
        }
      }
      await this.callAndEmit(op, finalParams);
      return 0;
    }
  }
  Object.defineProperty(Derived, 'name', { value: `Derived_${spec.name.replace(/\W/g, '_')}` });
  return Derived as unknown as CommandClass;
}
