import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createCluster, haveClusterBinaries } from '../support/pg-cluster.js';
import { spawnServer } from '../support/server-process.js';

// Postgres stopped for 10 s under load (issue 10): every request that fails, fails within 5 s with
// UNAVAILABLE (HTTP 503, or a JSON-RPC / MCP tool error saying UNAVAILABLE), never INTERNAL or 500,
// nothing hangs, service is back within 2 s of Postgres accepting connections, and /ready answers
// within a second throughout (503 while Postgres is away). The server is the real process on a
// Postgres 15 cluster of this test's own (the shared one must never be stopped).

const skip = !process.env.TEST_DATABASE_URL
  ? 'runs with server Postgres (TEST_DATABASE_URL), as in CI'
  : !haveClusterBinaries() ? 'needs the Postgres 15 server binaries (/usr/lib/postgresql/15/bin)' : false;

const OUTAGE_MS = 10_000;
const HANG_MS = 30_000;

type Outcome = 'ok' | 'unavailable' | 'internal' | 'http500' | 'other';
interface Sample { kind: string; start: number; end: number; status: number; outcome: Outcome; detail: string }

it('Postgres stopped for 10 s under load: failures are quick UNAVAILABLEs, service resumes within 2 s, /ready within 1 s', { skip, timeout: 240_000 }, async (t) => {
  const cluster = await createCluster();
  const server = spawnServer({ DATABASE_URL: cluster.url, ME_LOG_LEVEL: 'error' });
  try {
    const { url, key } = await server.listening;
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    const samples: Sample[] = [];
    let running = true;

    /** One request, timed; the classifier reads the answer. A request that takes 30 s is a hang. */
    async function timed(kind: string, req: () => Promise<Response>, classify: (res: Response, body: any) => [Outcome, string]) {
      const start = now();
      let status = 0;
      let outcome: Outcome;
      let detail = '';
      try {
        const res = await req();
        status = res.status;
        const text = await res.text();
        let body: unknown = null;
        try { body = JSON.parse(text); } catch { /* not JSON */ }
        if (status === 500) [outcome, detail] = ['http500', text.slice(0, 200)];
        else if (status === 503) {
          const b = body as { error?: { data?: { code?: string } } } | null;
          const clear = kind === 'ready' || b?.error?.data?.code === 'UNAVAILABLE';
          [outcome, detail] = clear && res.headers.get('retry-after') ? ['unavailable', '503'] : ['other', `503 ${text.slice(0, 200)}`];
        } else [outcome, detail] = classify(res, body);
      } catch (err) {
        // fetch says only "fetch failed"; its cause (ECONNREFUSED, a reset, …) tells what happened.
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        [outcome, detail] = ['other', `request failed: ${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`];
      }
      samples.push({ kind, start, end: now(), status, outcome, detail });
      return outcome;
    }
    const rpcOutcome = (_res: Response, body: any): [Outcome, string] => {
      const code = body?.error?.data?.code;
      if (!body?.error) return body && 'result' in body ? ['ok', ''] : ['other', JSON.stringify(body).slice(0, 200)];
      if (code === 'UNAVAILABLE' && body.error.data.reason === 'DATABASE_UNAVAILABLE' && body.error.data.retryAfter) return ['unavailable', 'rpc'];
      return [code === 'INTERNAL' ? 'internal' : 'other', JSON.stringify(body.error).slice(0, 200)];
    };
    const post = (path: string, body: unknown, headers: Record<string, string> = auth) => () =>
      fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(HANG_MS) });
    const rpc = (method: string, params: unknown) => post('/api/v1/memory/rpc', { jsonrpc: '2.0', id: 1, method, params });
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

    // Several JSON-RPC clients writing, reading and searching; one MCP client; one OAuth client
    // (a refresh-token grant, answered from the database); /ready polled every 100 ms.
    async function rpcClient(n: number) {
      const ids: string[] = [];
      for (let i = 0; running; i++) {
        const step = i % 3;
        let outcome: Outcome;
        if (step === 0) {
          let id: string | undefined;
          outcome = await timed('memory.create', rpc('memory.create', { tree: `/load/c${n}`, content: `memory ${i} of client ${n}: postgres outage drill` }), (res, body) => {
            id = body?.result?.id;
            return rpcOutcome(res, body);
          });
          if (id) ids.push(id);
        } else if (step === 1 && ids.length) {
          outcome = await timed('memory.get', rpc('memory.get', { id: ids[i % ids.length] }), rpcOutcome);
        } else {
          outcome = await timed('memory.search', rpc('memory.search', { query: 'outage drill', tree: `/load/c${n}`, limit: 5 }), rpcOutcome);
        }
        if (outcome !== 'ok') await pause(50);
      }
    }
    async function mcpClient() {
      const headers = { ...auth, accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };
      while (running) {
        const outcome = await timed('mcp', post('/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'me_memory_search', arguments: { query: 'outage drill', limit: 3 } } }, headers), (_res, body) => {
          const result = body?.result;
          if (result && !result.isError) return ['ok', ''];
          const text: string = result?.content?.[0]?.text ?? JSON.stringify(body);
          // A tool's failure is a result the agent reads: "CODE: message".
          return text.startsWith('UNAVAILABLE:') ? ['unavailable', 'tool'] : [text.startsWith('INTERNAL') ? 'internal' : 'other', text.slice(0, 200)];
        });
        if (outcome !== 'ok') await pause(50);
      }
    }
    async function oauthClient() {
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      while (running) {
        const outcome = await timed('oauth.token', () => fetch(`${url}/api/v1/auth/oauth2/token`, {
          method: 'POST', headers: form, signal: AbortSignal.timeout(HANG_MS),
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token', client_id: 'me-cli' }),
        }), (res, body) => (res.status >= 400 && res.status < 500 && body?.error ? ['ok', ''] : ['other', `${res.status} ${JSON.stringify(body).slice(0, 200)}`]));
        await pause(outcome === 'ok' ? 20 : 50);
      }
    }
    async function readyProbe() {
      while (running) {
        await timed('ready', () => fetch(`${url}/ready`, { signal: AbortSignal.timeout(HANG_MS) }), (res) => (res.status === 200 ? ['ok', ''] : ['other', String(res.status)]));
        await pause(100);
      }
    }
    const load = [...Array.from({ length: 6 }, (_, n) => rpcClient(n)), mcpClient(), oauthClient(), readyProbe()];

    await pause(3000);
    const stopAt = now();
    await cluster.stop();
    const stoppedAt = now();
    await pause(OUTAGE_MS);
    const startAt = now();
    await cluster.start();
    while (!(await cluster.ready())) await pause(10);
    const readyAt = now();
    await pause(6000);
    running = false;
    await Promise.all(load);

    const failed = samples.filter((s) => s.outcome !== 'ok');
    const bad = failed.filter((s) => s.outcome !== 'unavailable');
    const kinds = [...new Set(samples.map((s) => s.kind))];
    const firstOk = Object.fromEntries(kinds.map((k) => [k, Math.round((samples.find((s) => s.kind === k && s.start >= readyAt && s.outcome === 'ok')?.end ?? Infinity) - readyAt)]));
    const slowest = Math.max(...samples.map((s) => s.end - s.start));
    const slowestFailure = Math.max(0, ...failed.map((s) => s.end - s.start));
    const lateFailures = failed.filter((s) => s.start > readyAt + 2000);
    const ready = samples.filter((s) => s.kind === 'ready');
    const readyMax = Math.max(...ready.map((s) => s.end - s.start));
    const readyWhileAway = ready.filter((s) => s.start > stoppedAt + 500 && s.end < startAt);
    const count = (k: string, o: Outcome) => samples.filter((s) => s.kind === k && s.outcome === o).length;
    t.diagnostic(`Postgres stop took ${Math.round(stoppedAt - stopAt)} ms, start until pg_isready ${Math.round(readyAt - startAt)} ms; ${samples.length} requests`);
    for (const k of kinds) t.diagnostic(`${k}: ${count(k, 'ok')} ok, ${count(k, 'unavailable')} UNAVAILABLE, first success ${firstOk[k]} ms after pg_isready`);
    t.diagnostic(`slowest request ${Math.round(slowest)} ms, slowest failure ${Math.round(slowestFailure)} ms; /ready slowest ${Math.round(readyMax)} ms (${readyWhileAway.length} probes while away, all 503: ${readyWhileAway.every((s) => s.status === 503)})`);

    assert.deepEqual(bad.slice(0, 5).map((s) => `${s.kind} ${s.outcome} ${s.detail}`), [], `${bad.length} failures were not UNAVAILABLE`);
    assert.equal(samples.filter((s) => s.status === 500).length, 0, 'no HTTP 500');
    assert.ok(failed.length > 0 && kinds.every((k) => count(k, 'unavailable') > 0 || k === 'ready'), 'every kind of request saw the outage');
    assert.ok(slowestFailure < 5000, `every failure within 5 s (slowest ${Math.round(slowestFailure)} ms)`);
    assert.ok(slowest < 5000, `no request hangs (slowest ${Math.round(slowest)} ms)`);
    for (const k of kinds) assert.ok(firstOk[k]! <= 2000, `${k} back within 2 s of Postgres accepting connections (${firstOk[k]} ms)`);
    assert.deepEqual(lateFailures.map((s) => `${s.kind} at +${Math.round(s.start - readyAt)} ms: ${s.detail}`), [], 'no failures once service is back');
    assert.ok(readyMax < 1000 + 250, `/ready answers within 1 s (slowest ${Math.round(readyMax)} ms; 250 ms allowed for a loaded machine)`);
    assert.ok(readyWhileAway.length >= 5 && readyWhileAway.every((s) => s.status === 503), '/ready is 503 while Postgres is away');
  } finally {
    const said = server.stderr().split('\n').filter((l) => /exited|error|warning/.test(l));
    if (server.child.exitCode !== null) t.diagnostic(`the server exited (${server.child.exitCode}):\n${server.stderr().slice(-4000)}`);
    // Still running: what its workers said (one that exited and was replaced, errors).
    else if (said.length) t.diagnostic(`server stderr (${said.length} lines of note):\n${said.slice(0, 20).join('\n')}`);
    await server.cleanup();
    await cluster.remove();
  }
});
