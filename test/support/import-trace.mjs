// `node --import ./test/support/import-trace.mjs …` appends every module URL the process resolves
// (ES imports, including CommonJS packages imported from them) to the file named by ME_IMPORT_TRACE.
// With ME_IMPORT_HOLD=<part of a URL> and ME_IMPORT_HOLD_MS, loading that module waits that long,
// then `released <url>` is appended: a test can tell whether something happened before it loaded.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
let file, hold, holdMs;
export function initialize(data) { ({ file, hold, holdMs } = data); }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, result.url + '\\n');
  return result;
}
export async function load(url, context, next) {
  if (hold && url.includes(hold)) {
    await sleep(holdMs);
    appendFileSync(file, 'released ' + url + '\\n');
  }
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
  data: { file: process.env.ME_IMPORT_TRACE, hold: process.env.ME_IMPORT_HOLD, holdMs: Number(process.env.ME_IMPORT_HOLD_MS ?? 0) },
});
