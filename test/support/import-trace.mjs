// `node --import ./test/support/import-trace.mjs …` appends every module URL the process resolves
// (ES imports, including CommonJS packages imported from them) to the file named by ME_IMPORT_TRACE.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, result.url + '\\n');
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: process.env.ME_IMPORT_TRACE });
