import { Command, Option, UsageError, type CommandClass } from 'clipanion';
import type { Client } from '../client/index.js';
import type { OpSpec } from '../spec/types.js';
import { ask, Cancelled } from '../util/confirm.js';
import { during, timeContext, TimeError, type TimeContext } from '../util/time.js';
import { renderResult } from '../util/render.js';
import { MeCommand } from './base.js';
import { kebab, parseFlag, planFlags } from './flags.js';

// Commands derived from operation contracts: every input property becomes a flag (its JSON Schema
// type decides how the flag's text is parsed and checked); the server validates again. Hand-written
// UX (positional arguments, aliases, routing between contracts, confirmations) is layered on top.
// Order of work: parse and check everything typed → route (may read, e.g. resolve a path, and asks
// for confirmation) → the one call that changes anything.

export { kebab };

export interface Positional {
  /** The input property it fills (or a UX-only name that `route` consumes). */
  name: string;
  /** How help shows it, e.g. `id|path` (default: the name). */
  label?: string;
  required?: boolean;
  /** Takes all remaining words, joined with spaces. */
  rest?: boolean;
}

export interface Extra {
  flag: string;
  kind: 'boolean' | 'string';
  description: string;
  placeholder?: string;
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
  /** One line for help, when the command does more than the operation's summary says. */
  summary?: string;
  details?: string;
  /**
   * Picks the operation and params to call (e.g. id vs path), after every typed value was checked.
   * It may read (resolve a path, count what a delete would remove) and ask for confirmation; the
   * call it returns is the only one that changes anything.
   */
  route?: (input: RouteInput) => Promise<{ op: string; params: Record<string, unknown> }>;
  /** The human text for the result (default: renderResult). */
  render?: (op: string, result: any, input: RouteInput) => Promise<string> | string;
}

export interface RouteInput {
  params: Record<string, unknown>;
  positional: Record<string, string | undefined>;
  extras: Record<string, unknown>;
  client: () => Promise<Client>;
  /** stdin is a terminal: a person can answer a question. */
  interactive: boolean;
  /** Asks a yes/no question on the terminal (default no). */
  ask: (question: string) => Promise<boolean>;
  note: (text: string) => void;
}

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Flags every command of an operation with times gets: the zone for zone-less times, and --during for search. */
function timeExtras(spec: OpSpec): Record<string, Extra> {
  const props = spec.input.properties ?? {};
  const hasTime = 'temporal' in props || JSON.stringify(props.memories ?? {}).includes('"temporal"') || Object.values(props).some((p) => p.format === 'date-time');
  if (!hasTime) return {};
  const out: Record<string, Extra> = {
    tz: { flag: '--tz', kind: 'string', placeholder: '<zone>', description: 'Time zone for times typed without one, e.g. Europe/Paris. Default: UTC.' },
  };
  if (spec.name === 'memory.search') {
    out.during = {
      flag: '--during', kind: 'string', placeholder: '<period>',
      description: 'Only memories whose time overlaps a day (2027-03-01), month (2027-03), year (2027) or range (2027-03-01..2027-03-15, end day included).',
    };
  }
  return out;
}

/** Builds the clipanion command class for one contract plus its UX overlay. */
export function deriveCommand(spec: OpSpec, overlay: Overlay): CommandClass {
  const flags = planFlags(spec, overlay.hide);
  const positional = overlay.positional ?? [];
  const extras = { ...timeExtras(spec), ...overlay.extras };
  const category = spec.endpoint === 'memory' && spec.name.startsWith('memory.') ? 'Memories' : 'Other';
  const placeholders: Record<string, string> = {};
  const choices: Record<string, string[]> = {};
  for (const f of flags) {
    placeholders[f.flag] = f.placeholder;
    if (f.choices) choices[f.flag] = f.choices;
  }
  for (const e of Object.values(extras)) if (e.placeholder) placeholders[e.flag.split(',').find((n) => n.startsWith('--'))!] = e.placeholder;

  class Derived extends MeCommand {
    static override paths = overlay.paths;
    static placeholders = placeholders;
    static choices = choices;
    static override usage = Command.Usage({
      category,
      description: overlay.summary ?? spec.summary,
      details: [spec.description, overlay.details].filter(Boolean).join('\n\n') + `\n\nOperation: \`${spec.name}\`.`,
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
        const name = p.label ?? p.name;
        self[`pos_${p.name}`] = p.rest ? Option.Rest({ name }) : Option.String({ name, required: p.required ?? false });
      }
    }

    /** Everything typed, parsed and checked; throws UsageError before anything is sent. */
    private async collect(tc: TimeContext) {
      const self = this as unknown as Record<string, unknown>;
      const params: Record<string, unknown> = {};
      for (const f of flags) {
        const v = parseFlag(f, self[`flag_${f.prop}`], tc);
        if (v !== undefined) params[f.prop] = v;
      }
      const pos: Record<string, string | undefined> = {};
      for (const p of positional) {
        const v = self[`pos_${p.name}`];
        pos[p.name] = p.rest ? ((v as string[]).length ? (v as string[]).join(' ') : undefined) : (v as string | undefined);
        if (spec.input.properties?.[p.name] && pos[p.name] !== undefined) {
          if (params[p.name] !== undefined) throw new UsageError(`give ${p.name} either as an argument or as --${kebab(p.name)}, not both`);
          const plan = flags.find((f) => f.prop === p.name) ?? planFlags(spec).find((f) => f.prop === p.name)!;
          params[p.name] = parseFlag({ ...plan, flag: `<${p.label ?? p.name}>` }, pos[p.name], tc);
        }
      }
      const ex: Record<string, unknown> = {};
      for (const key of Object.keys(extras)) ex[key] = self[`extra_${key}`];
      if (typeof ex.during === 'string') {
        if (params.temporal !== undefined) throw new UsageError('pass --during or --temporal, not both');
        try {
          params.temporal = during(ex.during, tc);
        } catch (err) {
          throw err instanceof TimeError ? new UsageError(`--during: ${err.message}`) : err;
        }
      }
      if (overlay.stdin && params[overlay.stdin] === undefined && !(this.context.stdin as { isTTY?: boolean }).isTTY) {
        const text = await readStdin(this.context.stdin);
        if (text) params[overlay.stdin] = text;
      }
      // Required inputs of the operation itself (a positional may stand for a hidden one).
      for (const f of planFlags(spec, overlay.hide)) {
        if (f.required && params[f.prop] === undefined) {
          const asArg = positional.find((p) => p.name === f.prop);
          throw new UsageError(`missing ${asArg ? `<${asArg.label ?? f.prop}> (or ${f.flag})` : `${f.flag} ${f.placeholder}`}: ${f.description}`);
        }
      }
      return { params, pos, ex };
    }

    async execute(): Promise<number> {
      const self = this as unknown as Record<string, unknown>;
      let tc: TimeContext;
      try {
        tc = timeContext((self.extra_tz as string | undefined) ?? 'UTC');
      } catch (err) {
        throw new UsageError(`--tz: ${(err as Error).message}`);
      }
      const { params, pos, ex } = await this.collect(tc);
      if (tc.assumedZone && !self.extra_tz) this.note('note: times without a zone were read as UTC (pass --tz <zone> to change that).');
      const interactive = Boolean((this.context.stdin as { isTTY?: boolean }).isTTY);
      const input: RouteInput = {
        params, positional: pos, extras: ex, interactive,
        client: () => this.client(),
        ask: (q) => ask(this.context.stdin, this.context.stderr, q),
        note: (t) => this.note(t),
      };
      let call: { op: string; params: Record<string, unknown> };
      try {
        call = overlay.route ? await overlay.route(input) : { op: spec.name, params };
      } catch (err) {
        if (!(err instanceof Cancelled)) throw err;
        this.note(err.message);
        return 1;
      }
      const client = await this.client();
      const result = await client.call(call.op, call.params);
      await this.emit(result, () => (overlay.render ? overlay.render(call.op, result, input) : renderResult(call.op, result)));
      return 0;
    }
  }
  Object.defineProperty(Derived, 'name', { value: `Derived_${spec.name.replace(/\W/g, '_')}` });
  return Derived as unknown as CommandClass;
}
