import { UsageError } from 'clipanion';
import { parseMemoryPath, parseTree } from '../../contracts/path-syntax.js';
import { suggestPath } from '../io/names.js';
import type { JsonSchema, OpSpec } from '../spec/types.js';
import { instant, memoryTemporal, temporalFilter, TimeError, type TimeContext } from '../util/time.js';

// Flags derived from an operation's input schema, and the checks their values get before anything
// is sent: numbers, enums, JSON, times, paths. The server validates again; these checks exist so a
// mistake is a usage error (exit 2) that names the flag, and nothing is sent.

export const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

export interface FlagPlan {
  prop: string;
  flag: string;
  kind: 'boolean' | 'number' | 'string' | 'list' | 'json';
  nullable: boolean;
  required: boolean;
  description: string;
  placeholder: string;
  schema: JsonSchema;
  choices?: string[];
}

/** Input properties that are paths, and which kind. */
const PATH_PROPS: Record<string, 'tree' | 'memory'> = { tree: 'tree', from: 'tree', to: 'tree', path: 'memory' };
const PLACEHOLDERS: Record<string, string> = {
  tree: '<path>', from: '<path>', to: '<path>', path: '<path>', name: '<name>', content: '<text>', query: '<words>',
  meta: '<json>', where: '<jsonpath>', cursor: '<cursor>', id: '<id>', memories: '<json>', version: '<n>',
};

function unwrap(s: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const alts = s.anyOf ?? s.oneOf;
  if (!alts) return { schema: s, nullable: false };
  const nonNull = alts.filter((a) => a.type !== 'null');
  return { schema: nonNull.length === 1 ? { ...nonNull[0], description: s.description ?? nonNull[0]!.description } : s, nullable: nonNull.length < alts.length };
}

/** A memory's own time ({start, end}) as opposed to a search filter ({before, after, …}). */
const isMemoryTime = (s: JsonSchema) => !!s.properties?.start;

export function planFlags(spec: OpSpec, hide: string[] = []): FlagPlan[] {
  const props = spec.input.properties ?? {};
  const required = new Set(spec.input.required ?? []);
  return Object.entries(props)
    // `space` is the global --space option (sent as X-Me-Space), never a per-command flag.
    .filter(([p]) => p !== 'space' && !hide.includes(p))
    .map(([prop, raw]) => {
      const { schema, nullable } = unwrap(raw);
      const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
      const kind: FlagPlan['kind'] =
        t === 'boolean' ? 'boolean'
        : t === 'integer' || t === 'number' ? 'number'
        : t === 'string' ? 'string'
        : t === 'array' && (schema.items?.type === 'string' || schema.items?.enum) ? 'list'
        : 'json';
      const choices = (schema.enum ?? schema.items?.enum) as string[] | undefined;
      const bits = [schema.description ?? raw.description ?? ''];
      if (schema.format === 'date-time') bits.push('A date (2027-03-01) or date-time, with or without a zone (--tz).');
      else if (prop === 'temporal') bits.push(isMemoryTime(schema) ? 'A time (2027-03-01, 2027-03-01T10:00, …), a range A..B, or JSON {"start","end"}.' : 'JSON, e.g. {"after":"2027-01-01"}; see also --during.');
      else if (kind === 'json') bits.push('(JSON)');
      if (schema.items?.enum) bits.push('(repeat or comma-separate)');
      if (nullable) bits.push('("null" clears it)');
      const dflt = schema.default ?? raw.default;
      if (dflt !== undefined) bits.push(`Default: ${typeof dflt === 'string' ? dflt : JSON.stringify(dflt)}.`);
      const placeholder = choices && kind === 'string' ? `<${choices.join('|')}>`
        : choices ? `<${choices.join(',')}>`
        : prop === 'temporal' ? (isMemoryTime(schema) ? '<time>' : '<json>')
        : schema.format === 'date-time' ? '<time>'
        : PLACEHOLDERS[prop] ?? (kind === 'number' ? '<n>' : kind === 'json' ? '<json>' : `<${kebab(prop)}>`);
      return {
        prop, flag: `--${kebab(prop)}`, kind, nullable, required: required.has(prop), schema, placeholder,
        description: bits.filter(Boolean).join(' '), ...(choices ? { choices } : {}),
      };
    });
}

/** Checks a typed path; a path that is wrong only because of spaces gets "did you mean". */
export function checkPath(what: string, value: string, kind: 'tree' | 'memory'): void {
  const r = kind === 'tree' ? parseTree(value) : parseMemoryPath(value);
  if (r.ok) return;
  const guess = suggestPath(value, kind);
  throw new UsageError(`${what}: ${r.error}${guess ? `\ndid you mean ${guess}?` : ''}`);
}

function parseJson(plan: FlagPlan, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new UsageError(`${plan.flag} expects JSON (${(err as Error).message}), e.g. ${plan.prop === 'meta' ? `'{"source":"slack"}'` : `'{"start":"2027-03-01"}'`}; got: ${value}`);
  }
}

function times<T>(plan: FlagPlan, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TimeError) throw new UsageError(`${plan.flag}: ${err.message}`);
    throw err;
  }
}

/** A flag's text → the value sent, or a UsageError that names the flag and the problem. */
export function parseFlag(plan: FlagPlan, value: unknown, tc: TimeContext): unknown {
  if (value === undefined) return undefined;
  if (plan.nullable && value === 'null') return null;
  const s = plan.schema;
  switch (plan.kind) {
    case 'boolean':
      return value;
    case 'number': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) throw new UsageError(`${plan.flag} expects a number, got "${value}"`);
      if (s.type === 'integer' && !Number.isInteger(n)) throw new UsageError(`${plan.flag} expects a whole number, got "${value}"`);
      if (typeof s.minimum === 'number' && n < s.minimum) throw new UsageError(`${plan.flag} must be at least ${s.minimum}, got ${n}`);
      if (typeof s.maximum === 'number' && n > s.maximum) throw new UsageError(`${plan.flag} must be at most ${s.maximum}, got ${n}`);
      return n;
    }
    case 'list': {
      const list = (value as string[]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
      const bad = plan.choices && list.find((v) => !plan.choices!.includes(v));
      if (bad) throw new UsageError(`${plan.flag} takes ${plan.choices!.join(', ')}; got "${bad}"`);
      return list;
    }
    case 'json': {
      const text = value as string;
      if (plan.prop === 'temporal') {
        const parsed = /^\s*[[{]/.test(text) || text.trim() === 'null' ? parseJson(plan, text) : text;
        return times(plan, () => (isMemoryTime(s) ? memoryTemporal(parsed, tc) : temporalFilter(parsed, tc)));
      }
      const parsed = parseJson(plan, text);
      if (s.type === 'object' && (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))) throw new UsageError(`${plan.flag} expects a JSON object such as '{"k":"v"}', got: ${text}`);
      if (s.type === 'array' && !Array.isArray(parsed)) throw new UsageError(`${plan.flag} expects a JSON list [...], got: ${text}`);
      if (plan.prop === 'memories' && Array.isArray(parsed)) {
        return parsed.map((m, i) => m && typeof m === 'object' && (m as { temporal?: unknown }).temporal !== undefined
          ? { ...m, temporal: times({ ...plan, flag: `${plan.flag} [${i}].temporal` }, () => memoryTemporal((m as { temporal: unknown }).temporal, tc)) }
          : m);
      }
      return parsed;
    }
    default: {
      const text = value as string;
      if (s.format === 'date-time') return times(plan, () => instant(text, tc));
      if (plan.choices && !plan.choices.includes(text)) throw new UsageError(`${plan.flag} takes ${plan.choices.join(', ')}; got "${text}"`);
      const pathKind = PATH_PROPS[plan.prop];
      if (pathKind) checkPath(plan.flag, text, pathKind);
      return text;
    }
  }
}
