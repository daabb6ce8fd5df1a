import { z } from 'zod';

// Building blocks for input that Postgres must store exactly as sent. Every contract takes its free
// strings, integers and instants from here, so a bad value is refused with the field's name before
// it reaches the database (where it would fail, or be silently changed).

/** UTF-8 byte length without Buffer (contracts also run in the browser). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/**
 * Why Postgres cannot store a string as it is, or null. Text cannot hold NUL (U+0000), and a lone
 * UTF-16 surrogate has no UTF-8 form (the driver would silently turn it into U+FFFD).
 */
export function textProblem(s: string): string | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return `contains a NUL character (\\u0000) at position ${i}, which cannot be stored; remove it`;
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) { i++; continue; }
      return `contains a lone UTF-16 surrogate (\\u${c.toString(16)}) at position ${i}, which is not valid Unicode; send well-formed text`;
    }
  }
  return null;
}

/** A string Postgres stores byte for byte: no NUL, no lone surrogate, at most `max` characters. */
export function text(opts: { min?: number; max: number; minMessage?: string }) {
  let s = z.string();
  if (opts.min !== undefined) s = s.min(opts.min, opts.minMessage);
  return s.max(opts.max).check(storable);
}

/** The same check as a zod refinement, for string schemas built elsewhere (formats, regexes). */
export const storable = z.superRefine<string>((s, ctx) => {
  const problem = textProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: s });
});

/** Postgres `integer` (int4). */
export const INT4_MAX = 2_147_483_647;
/** A positive integer that fits Postgres' `integer` (versions, counts). */
export const positiveInt4 = z.number().int().min(1).max(INT4_MAX, `must be at most ${INT4_MAX}`);

// Instants are kept to years 1–9999 (UTC): what Postgres, JavaScript and ISO 8601 all write the same
// way, so every stored time reads back as a valid input.
const MIN_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/** An ISO 8601 date-time with a time zone, in years 1–9999. */
export const instant = z
  .iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2025-03-01T12:00:00Z' })
  .refine((v) => {
    const t = Date.parse(v);
    return t >= MIN_INSTANT && t <= MAX_INSTANT;
  }, 'must lie in the years 0001 to 9999 (UTC)');
