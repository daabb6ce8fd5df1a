import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadResult } from './load-worker.js';

/**
 * Drives constant HTTP load from a child process, so the load generator gets its own core instead
 * of competing with the server's event loop. Returns requests per second over the timed window;
 * `onTick(n)` is called at the start of each second n of that window.
 */
export async function runLoad(job: LoadJob, onTick?: (second: number) => void): Promise<LoadResult & { rps: number }> {
  const child = fork(fileURLToPath(new URL('./load-worker.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = await new Promise<LoadResult>((resolve, reject) => {
    child.on('message', (m: LoadResult | { tick: number }) => ('tick' in m ? onTick?.(m.tick) : resolve(m)));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code} before reporting`)));
    child.send(job);
  });
  child.kill();
  return { ...result, rps: result.requests / result.seconds };
}
