import { Cli, UsageError, type CommandClass } from 'clipanion';
import { MeError } from './client/errors.js';
import { loadSpecs } from './spec/load.js';
import { provideCommands } from './help/registry.js';
import type { CommandSpec } from './help/spec.js';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

async function allCommandClasses(): Promise<CommandClass[]> {
  const [{ memoryCommands }, { staticCommands }] = await Promise.all([import('./commands/memory.js'), import('./commands/index.js')]);
  return [...staticCommands, ...memoryCommands(await loadSpecs())];
}
provideCommands(allCommandClasses);

async function commandClasses(argv: string[]): Promise<CommandClass[]> {
  const all = await allCommandClasses();
  // Clipanion compiles a state machine over every registered command on each run (~35 ms for all of
  // them): register only the commands that start with the first word, unless nothing does (help, typos).
  const first = argv[0];
  const some = first && !first.startsWith('-') ? all.filter((c) => (c.paths ?? []).some((p) => p[0] === first)) : [];
  return some.length ? some : all;
}

const HELP = new Set(['--help', '-h']);

/** Runs the CLI; returns the exit code: 0 ok, 1 error, 2 usage. */
export async function run(argv: string[]): Promise<number> {
  // `me … | head` closes stdout early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const { version } = JSON.parse((await import('node:fs')).readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  if (argv[0] === 'help') argv = [...argv.slice(1), '--help'];
  const classes = await commandClasses(argv);
  const help = await import('./help/render.js');
  const { describe, usageLine } = await import('./help/spec.js');
  const { diagnose, resolveCommand } = await import('./help/diagnose.js');
  let cached: CommandSpec[] | undefined;
  const specs = () => (cached ??= classes.map(describe));
  const out = process.stdout;
  const err = process.stderr;

  const usageError = (problem: string, spec?: CommandSpec, path?: string[], suggestion?: string) => {
    let text = `error: ${problem}\n`;
    if (suggestion) text += `did you mean ${suggestion}?\n`;
    if (spec) {
      const p = path ?? spec.paths[0]!;
      text += `usage: ${usageLine(spec, p)}${spec.options.some((o) => !o.hidden) ? ' [options]' : ''}\nsee \`me ${p.join(' ')} --help\`\n`;
    } else text += 'run `me --help` for the list of commands\n';
    err.write(text);
    return EXIT_USAGE;
  };

  const print = (text: string) => {
    out.write(text);
    return EXIT_OK;
  };
  const beforeDashes = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  if (argv.length === 0 || beforeDashes.some((a) => HELP.has(a))) {
    const words = beforeDashes.filter((a) => !HELP.has(a));
    if (!words.length) return print(help.topHelp(specs(), version));
    const hit = resolveCommand(words, specs());
    if (hit) return print(help.commandHelp(hit.spec, hit.path, specs()));
    const d = diagnose(words, specs());
    if (d.group && !d.suggestion && words.length === 1) return print(help.groupHelp(specs(), d.group));
    return usageError(d.problem, undefined, undefined, d.suggestion);
  }

  const cli = new Cli({ binaryLabel: 'Memory Engine', binaryName: 'me', binaryVersion: version, enableColors: false });
  for (const c of classes) cli.register(c);
  let command;
  try {
    command = cli.process(argv);
  } catch {
    const d = diagnose(argv, specs());
    if (d.group && !d.suggestion && !d.spec) {
      err.write(`error: ${d.problem}\n\n${help.groupHelp(specs(), d.group)}`);
      return EXIT_USAGE;
    }
    return usageError(d.problem, d.spec, d.path, d.suggestion);
  }
  const typed = () => resolveCommand(argv, specs());
  const flags = command as unknown as { json?: boolean; yaml?: boolean };
  if (flags.json && flags.yaml) return usageError('--json and --yaml cannot be used together: pick one', typed()?.spec, typed()?.path);

  command.context = { ...Cli.defaultContext };
  command.cli = {
    binaryLabel: cli.binaryLabel,
    binaryName: cli.binaryName,
    binaryVersion: cli.binaryVersion,
    enableCapture: false,
    enableColors: false,
    definitions: () => cli.definitions(),
    error: (e, o) => cli.error(e, o),
    format: (c) => cli.format(c),
    process: (input) => cli.process(input),
    run: (input) => cli.run(input),
    usage: (c, o) => cli.usage(c, o),
  };
  try {
    return (await command.validateAndExecute()) ?? EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError) return usageError(e.message, typed()?.spec, typed()?.path);
    return report(e);
  }
}

function report(err: unknown): number {
  const out = process.stderr;
  if (err instanceof MeError) {
    out.write(`error: ${err.message}${err.code && !['NETWORK', 'PROTOCOL', 'ERROR'].includes(err.code) ? ` (${err.code})` : ''}\n`);
    const hint = (err.details.data?.hint as string | undefined) ?? err.hint;
    if (hint) out.write(`hint: ${hint}\n`);
    return EXIT_ERROR;
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT' && e.path) {
    out.write(`error: no such file or directory: ${e.path}\n`);
    return EXIT_ERROR;
  }
  if (e?.code === 'EACCES' && e.path) {
    out.write(`error: permission denied: ${e.path}\n`);
    return EXIT_ERROR;
  }
  out.write(`error: ${e?.message ?? String(err)}\n`);
  if (process.env.ME_DEBUG) out.write(String(e?.stack) + '\n');
  return EXIT_ERROR;
}
