import { Builtins, Cli, UsageError, type CommandClass } from 'clipanion';
import { MeError } from './client/errors.js';
import { loadSpecs } from './spec/load.js';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

async function commandClasses(argv: string[]): Promise<{ classes: CommandClass[]; group: boolean }> {
  const [{ memoryCommands }, { staticCommands }] = await Promise.all([import('./commands/memory.js'), import('./commands/index.js')]);
  const all = [...staticCommands, ...memoryCommands(await loadSpecs())];
  // Clipanion compiles a state machine over every registered command on each run (~35 ms for all of
  // them): register only the commands that start with the first word, unless nothing does (help, typos).
  const first = argv[0];
  const some = first && !first.startsWith('-') ? all.filter((c) => (c.paths ?? []).some((p) => p[0] === first)) : [];
  return some.length ? { classes: some, group: true } : { classes: all, group: false };
}

/** Runs the CLI; returns the exit code: 0 ok, 1 error, 2 usage. */
export async function run(argv: string[]): Promise<number> {
  const { version } = JSON.parse((await import('node:fs')).readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const cli = new Cli({ binaryLabel: 'Memory Engine', binaryName: 'me', binaryVersion: version, enableColors: false });
  cli.register(Builtins.HelpCommand);
  const { classes, group } = await commandClasses(argv);
  for (const c of classes) cli.register(c);

  const stderr = process.stderr;
  if (argv.length === 0 || (argv.length === 1 && ['--help', '-h', 'help'].includes(argv[0]!))) {
    const { GLOBAL_HELP } = await import('./commands/base.js');
    process.stdout.write(cli.usage(null) + '\n' + GLOBAL_HELP);
    return EXIT_OK;
  }
  let command;
  try {
    command = cli.process(argv);
  } catch (err) {
    const text = cli.error(err as Error);
    // "Command not found" lists every command: keep the first line and point at --help instead.
    if (/Command not found/.test(text) && group && argv.length === 1) {
      // `me memory`, `me space`: show the group's commands.
      stderr.write(`\`me ${argv[0]}\` needs a subcommand:\n\n` + cli.usage(null));
    } else {
      stderr.write(/Command not found/.test(text) ? `error: unknown command \`me ${argv.join(' ')}\`\nhint: run \`me --help\` for the list of commands\n` : text);
    }
    return EXIT_USAGE;
  }
  if (command.help) {
    const { GLOBAL_HELP } = await import('./commands/base.js');
    process.stdout.write(cli.usage(command, { detailed: true }) + '\n' + GLOBAL_HELP);
    return EXIT_OK;
  }
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
    const code = (await command.validateAndExecute()) ?? EXIT_OK;
    // `me <command> --help` is answered by clipanion's help command: add the global options to it.
    if (argv.includes('--help') || argv.includes('-h')) process.stdout.write('\n' + (await import('./commands/base.js')).GLOBAL_HELP);
    return code;
  } catch (err) {
    return report(err, command);
  }
}

function report(err: unknown, command: { path: string[] }): number {
  const out = process.stderr;
  if (err instanceof UsageError) {
    out.write(`error: ${err.message}\n  see \`me ${command.path.join(' ')} --help\`\n`);
    return EXIT_USAGE;
  }
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
