/** Structured JSON logs on stderr. Never pass a secret: credentials are logged by kind and id only. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(opts: { level?: 'info' | 'warn' | 'error' | 'silent'; write?: (line: string) => void } = {}): Logger {
  const order = { info: 0, warn: 1, error: 2, silent: 3 };
  const min = order[opts.level ?? 'info'];
  const write = opts.write ?? (stderr ??= stderrLines());
  const emit = (level: 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    write(JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields }));
  };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

let stderr: ((line: string) => void) | undefined;

/**
 * Lines for stderr, written together once per turn of the event loop; one writer per process,
 * however many loggers. Writes to a pipe or a file are synchronous, and a line per request was a
 * write(2) per request: 11-18 % of memory.get's throughput at the default level, on a pipe
 * (bench/README.md, "get"). What is pending when the process exits is written then.
 */
function stderrLines(): (line: string) => void {
  let pending = '';
  const flush = () => {
    const out = pending;
    pending = '';
    if (out) process.stderr.write(out);
  };
  process.on('exit', flush);
  return (line) => {
    if (!pending) setImmediate(flush);
    pending += line + '\n';
  };
}
