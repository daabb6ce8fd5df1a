import http from 'node:http';
import { post } from './http.js';

// Runs in a child process (its own event loop and core): `concurrency` keep-alive connections each
// send requests back to back for `durationMs`, cycling through `bodies`.
export interface LoadJob { url: string; headers: Record<string, string>; bodies: string[]; concurrency: number; warmupMs: number; durationMs: number }
export interface LoadResult {
  /** Successful requests in the timed window, over `seconds`. */
  requests: number; errors: number; seconds: number; firstError?: string;
  /** Every request sent, warm-up and drain included (for cost per request). */
  total: number;
  /** Successful requests in each second of the timed window (shows drift under sustained load). */
  perSecond: number[];
}

const job = await new Promise<LoadJob>((resolve) => process.once('message', (m) => resolve(m as LoadJob)));
const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
let counting = false;
let stop = false;
let requests = 0;
let total = 0;
let errors = 0;
let firstError: string | undefined;
let next = 0;
let started = 0;
const perSecond: number[] = [];

async function client() {
  while (!stop) {
    const body = job.bodies[next++ % job.bodies.length]!;
    try {
      const text = await post(agent, job.url, body, job.headers);
      total++;
      if (!text.startsWith('{"jsonrpc":"2.0","id":1,"result"')) throw new Error(text.slice(0, 300));
      if (counting) {
        requests++;
        const second = Math.floor((performance.now() - started) / 1000);
        perSecond[second] = (perSecond[second] ?? 0) + 1;
      }
    } catch (err) {
      if (counting) errors++;
      firstError ??= String((err as Error).message ?? err);
    }
  }
}

const clients = Array.from({ length: job.concurrency }, client);
await new Promise((r) => setTimeout(r, job.warmupMs));
started = performance.now();
counting = true;
// A tick at each second of the timed window lets the parent sample its own CPU time per window.
let tick = 0;
process.send!({ tick });
const ticker = setInterval(() => process.send!({ tick: ++tick }), 1000);
await new Promise((r) => setTimeout(r, job.durationMs));
clearInterval(ticker);
counting = false;
const seconds = (performance.now() - started) / 1000;
stop = true;
await Promise.all(clients);
agent.destroy();
process.send!({ requests, errors, seconds, firstError, total, perSecond: Array.from(perSecond, (n) => n ?? 0) } satisfies LoadResult);
