import { z } from 'zod';
import { textProblem, utf8Length } from './text.js';

// Limits on a memory's meta: far above what a person or an agent writes, low enough that no meta
// can exhaust a stack, the JSON encoder or a JSONPath filter. Checked by one loop over an explicit
// stack (never recursion), before anything else walks the value.
export const META_MAX_DEPTH = 32;
export const META_MAX_NODES = 10_000;
export const META_MAX_BYTES = 65_536;

type Path = (string | number)[];

/** The first reason a meta value cannot be stored, with where it is, or null. */
export function metaProblem(meta: Record<string, unknown>): { path: Path; message: string } | null {
  const stack: { value: unknown; path: Path }[] = [{ value: meta, path: [] }];
  // Values seen or queued: counted before queueing, so a huge array is refused without copying it.
  let nodes = 1;
  const tooMany = { path: [], message: `holds more than ${META_MAX_NODES.toLocaleString('en')} values; keep large data in content` };
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (path.length > META_MAX_DEPTH) {
      return { path: path.slice(0, META_MAX_DEPTH + 1), message: `is nested more than ${META_MAX_DEPTH} levels deep` };
    }
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return { path, message: problem };
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return { path, message: 'is a number too large to store; use a smaller number or a string' };
    } else if (Array.isArray(value)) {
      if ((nodes += value.length) > META_MAX_NODES) return tooMany;
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
    } else if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      if ((nodes += keys.length) > META_MAX_NODES) return tooMany;
      for (const key of keys) {
        const problem = textProblem(key);
        if (problem) return { path: [...path, key], message: `key ${problem}` };
        stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
      }
    } else if (typeof value !== 'boolean' && value !== null) {
      return { path, message: 'must be JSON (a string, number, boolean, null, array or object)' };
    }
  }
  // Depth and size are bounded now, so encoding cannot blow the stack.
  const bytes = utf8Length(JSON.stringify(meta));
  if (bytes > META_MAX_BYTES) return { path: [], message: `is ${bytes.toLocaleString('en')} bytes as JSON; at most ${META_MAX_BYTES.toLocaleString('en')} (64 KB) are allowed, keep large data in content` };
  return null;
}

/**
 * A JSON object of metadata. Kept as sent (a zod record would copy it and drop a "__proto__" key);
 * documented as an object in JSON Schema.
 */
export const metaSchema = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'must be a JSON object, e.g. {"source":"slack"}')
  .superRefine((meta, ctx) => {
    const problem = metaProblem(meta);
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, input: meta });
  })
  .meta({ type: 'object', additionalProperties: {} })
  .describe('A JSON object, e.g. {"source":"slack","priority":2}.');
