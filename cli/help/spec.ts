import type { CommandClass } from 'clipanion';

// One structured description of every command, read from the command classes themselves (the same
// option declarations clipanion parses with). Help, usage lines, parse diagnostics and shell
// completion are all rendered from it, so they cannot drift from what the parser accepts.

export interface OptionSpec {
  names: string[];
  /** 0 = a boolean flag, 1 = takes a value. */
  arity: number;
  description: string;
  hidden: boolean;
  /** What the value looks like in help: `<path>`, `<json>`, `<error|replace|ignore>`. */
  placeholder: string;
  /** Values it accepts, when they are a fixed list (completion offers them). */
  choices?: string[];
}

export interface PositionalSpec {
  name: string;
  required: boolean;
  rest: boolean;
}

export interface CommandSpec {
  /** Every path the command answers to; the first shown is the shortest (e.g. `remember`, not `memory create`). */
  paths: string[][];
  category: string;
  description: string;
  details: string;
  examples: [string, string][];
  options: OptionSpec[];
  positionals: PositionalSpec[];
  cls: CommandClass;
}

/** Placeholders by flag name, for commands that do not say otherwise (`static placeholders`). */
const DEFAULT_PLACEHOLDERS: Record<string, string> = {
  '--server': '<url>', '--space': '<slug>', '--tree': '<path>', '--name': '<name>', '--slug': '<slug>',
  '--ttl': '<duration>', '--port': '<port>', '--host': '<address>', '--data-dir': '<dir>', '--database-url': '<url>',
  '--batch': '<n>', '--timeout': '<seconds>', '--max-uses': '<n>', '--service': '<name>', '--allow': '<tree:level>',
  '--tz': '<zone>', '--format': '<format>', '--level': '<read|write|owner>', '--role': '<member|admin>',
  '--on-conflict': '<replace|ignore|error>',
};

/** Static metadata a command class may declare besides clipanion's. */
export interface DescribedClass {
  paths?: string[][];
  usage?: { category?: string; description?: string; details?: string; examples?: [string, string][] };
  /** Long flag name → placeholder, e.g. `{ '--meta': '<json>' }`. */
  placeholders?: Record<string, string>;
  /** Long flag name → accepted values. */
  choices?: Record<string, string[]>;
}

const isOption = (v: unknown): v is { definition: (builder: unknown, key: string) => void } =>
  !!v && typeof v === 'object' && typeof (v as { definition?: unknown }).definition === 'function' && typeof (v as { transformer?: unknown }).transformer === 'function';

const longName = (names: string[]) => names.find((n) => n.startsWith('--')) ?? names[0]!;
const clean = (s: string | undefined) => (s ?? '').replace(/\s+$/, '');

/** Reads a command class's declared options and positionals (it is instantiated, never run). */
export function describe(cls: CommandClass): CommandSpec {
  const meta = cls as unknown as DescribedClass;
  const options: OptionSpec[] = [];
  const positionals: PositionalSpec[] = [];
  const builder = {
    addOption(o: { names: string[]; arity?: number; description?: string; hidden?: boolean }) {
      const long = longName(o.names);
      const choices = meta.choices?.[long];
      options.push({
        names: o.names,
        arity: o.arity ?? 1,
        description: clean(o.description),
        hidden: !!o.hidden,
        placeholder: meta.placeholders?.[long] ?? DEFAULT_PLACEHOLDERS[long] ?? (choices ? `<${choices.join('|')}>` : `<${long.replace(/^-+/, '')}>`),
        ...(choices ? { choices } : {}),
      });
    },
    addPositional(p: { name: string; required?: boolean }) {
      positionals.push({ name: p.name, required: p.required ?? true, rest: false });
    },
    addRest(p: { name: string; required?: number }) {
      positionals.push({ name: p.name, required: !!p.required, rest: true });
    },
    addProxy() {},
  };
  const instance = new (cls as unknown as new () => Record<string, unknown>)();
  for (const [key, value] of Object.entries(instance)) if (isOption(value)) value.definition(builder, key);
  const paths = [...(meta.paths ?? [])].sort((a, b) => a.length - b.length);
  return {
    paths,
    category: clean(meta.usage?.category) || 'Other',
    description: clean(meta.usage?.description),
    details: clean(meta.usage?.details),
    examples: (meta.usage?.examples ?? []).map(([a, b]) => [clean(a), b]),
    options,
    positionals,
    cls,
  };
}

/** `<slug>`, `[<principal>]`, `[<content>...]`. */
export function positionalText(p: PositionalSpec): string {
  const inner = /^<.*>$/.test(p.name) ? p.name : `<${p.name}>`;
  if (p.rest) return `[${inner}...]`;
  return p.required ? inner : `[${inner}]`;
}

/** `me remember [<content>...]`: the shortest path and the arguments. */
export function usageLine(spec: CommandSpec, path = spec.paths[0]!): string {
  return ['me', ...path, ...spec.positionals.map(positionalText)].join(' ');
}

export function optionText(o: OptionSpec): string {
  const names = [...o.names].sort((a, b) => a.length - b.length).join(', ');
  return o.arity === 0 ? names : `${names} ${o.placeholder}`;
}

/** Finds the option a command accepts under this name. */
export function findOption(spec: CommandSpec, name: string): OptionSpec | undefined {
  return spec.options.find((o) => o.names.includes(name));
}
