import { closest } from './suggest.js';
import { positionalText, type CommandSpec } from './spec.js';

// When the parser rejects the arguments, say exactly what is wrong: which command was meant, which
// option is unknown (and the one probably meant), which value or argument is missing.

export interface Diagnosis {
  problem: string;
  /** "did you mean …" text, when something close exists. */
  suggestion?: string;
  /** The command that was meant, for its usage line. */
  spec?: CommandSpec;
  path?: string[];
  /** Group words typed without a subcommand (`me space`). */
  group?: string[];
}

const isOptionToken = (t: string) => t.startsWith('-') && t !== '-' && !/^-\d/.test(t);

/** The command `argv` addresses: the longest registered path its leading words spell. */
export function resolveCommand(argv: string[], specs: CommandSpec[]): { spec: CommandSpec; path: string[] } | undefined {
  const words: string[] = [];
  for (const a of argv) {
    if (isOptionToken(a)) break;
    words.push(a);
  }
  let best: { spec: CommandSpec; path: string[] } | undefined;
  for (const spec of specs) {
    for (const path of spec.paths) {
      if (path.length <= words.length && path.every((w, i) => words[i] === w) && (!best || path.length > best.path.length)) best = { spec, path };
    }
  }
  return best;
}

function unknownCommand(argv: string[], specs: CommandSpec[]): Diagnosis {
  const paths = specs.flatMap((s) => s.paths);
  const first = argv[0] ?? '';
  const groups = new Set(paths.filter((p) => p.length > 1).map((p) => p[0]!));
  if (groups.has(first)) {
    const second = argv[1];
    if (second === undefined || isOptionToken(second)) return { problem: `\`me ${first}\` needs a subcommand`, group: [first] };
    const subs = paths.filter((p) => p[0] === first && p.length > 1).map((p) => p[1]!);
    const guess = closest(second, subs);
    return { problem: `unknown command \`me ${first} ${second}\``, group: [first], ...(guess ? { suggestion: `me ${first} ${guess}` } : {}) };
  }
  const guess = closest(first, new Set(paths.map((p) => p[0]!)));
  return { problem: `unknown command \`me ${first}\``, ...(guess ? { suggestion: `me ${guess}` } : {}) };
}

/** Explains why `argv` did not parse. */
export function diagnose(argv: string[], specs: CommandSpec[]): Diagnosis {
  const hit = resolveCommand(argv, specs);
  if (!hit) return unknownCommand(argv, specs);
  const { spec, path } = hit;
  const name = `me ${path.join(' ')}`;
  const base = { spec, path };
  const longNames = spec.options.flatMap((o) => o.names.filter((n) => n.startsWith('--')));
  const rest = argv.slice(path.length);
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const tok = rest[i]!;
    if (tok === '--') {
      positionals.push(...rest.slice(i + 1));
      break;
    }
    if (!isOptionToken(tok)) {
      positionals.push(tok);
      continue;
    }
    const eq = tok.startsWith('--') ? tok.indexOf('=') : -1;
    const flags = tok.startsWith('--') ? [eq > 0 ? tok.slice(0, eq) : tok] : [...tok.slice(1)].map((c) => `-${c}`);
    for (const [k, flag] of flags.entries()) {
      const opt = spec.options.find((o) => o.names.includes(flag));
      if (!opt) {
        const guess = closest(flag, longNames);
        return { ...base, problem: `unknown option ${flag} for \`${name}\``, ...(guess ? { suggestion: guess } : {}) };
      }
      if (opt.arity === 0) {
        if (eq > 0) return { ...base, problem: `${flag} takes no value (got "${tok.slice(eq + 1)}")` };
        continue;
      }
      if (eq > 0 || k < flags.length - 1) continue; // --tree=/a, or -sVALUE style
      const next = rest[i + 1];
      if (next === undefined || isOptionToken(next)) return { ...base, problem: `${flag} needs a value: ${flag} ${opt.placeholder}` };
      i++;
    }
  }
  const fixed = spec.positionals.filter((p) => !p.rest);
  const missing = fixed.filter((p) => p.required)[positionals.length];
  if (missing) return { ...base, problem: `missing ${positionalText(missing)}` };
  if (!spec.positionals.some((p) => p.rest) && positionals.length > fixed.length) {
    return { ...base, problem: `unexpected argument "${positionals[fixed.length]}" (\`${name}\` takes ${fixed.length ? fixed.map(positionalText).join(' ') : 'no arguments'})` };
  }
  return { ...base, problem: `\`${name}\` does not accept these arguments` };
}
