// Times as people type them: `2027-03-01` (a day), `2027-03` (a month), `2027` (a year),
// `2027-03-01T10:00` or `2027-03-01 10:00` (no zone: read in --tz, UTC by default), and full ISO
// 8601 with `Z` or an offset. The server takes only zoned ISO instants; everything is converted here.

export class TimeError extends Error {}

/** The zone for times typed without one, and whether any was read that way (to say so). */
export interface TimeContext {
  tz: string;
  assumedZone: boolean;
}

export const timeContext = (tz = 'UTC'): TimeContext => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new TimeError(`unknown time zone "${tz}": use an IANA name such as UTC, Europe/Paris or America/New_York`);
  }
  return { tz, assumedZone: false };
};

const PERIOD = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const EXAMPLE = 'e.g. 2027-03-01, 2027-03-01T10:00 or 2027-03-01T10:00:00Z';

/** Offset of `zone` from UTC at an instant, in ms. */
function offsetAt(epoch: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(epoch));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(epoch / 1000) * 1000;
}

/** A wall-clock time in a zone → epoch ms (the earlier of two in a DST overlap). */
function fromWallClock(fields: number[], zone: string): number {
  const guess = Date.UTC(fields[0]!, fields[1]! - 1, fields[2]!, fields[3] ?? 0, fields[4] ?? 0, fields[5] ?? 0, fields[6] ?? 0);
  if (zone === 'UTC') return guess;
  const first = guess - offsetAt(guess, zone);
  const second = guess - offsetAt(first, zone);
  return Math.min(first, second);
}

function checkCalendar(text: string, y: number, mo: number, d: number, h = 0, mi = 0, s = 0) {
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (mo < 1 || mo > 12 || t.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw new TimeError(`"${text}" is not a real date or time`);
}

export interface Parsed {
  /** The instant (the start, for a day, month or year). */
  start: number;
  /** For a day, month or year: the exclusive end of that period; else undefined. */
  periodEnd?: number;
}

/** Parses one time as typed; see the module comment for the accepted forms. */
export function parseTime(raw: string, ctx: TimeContext): Parsed {
  const text = raw.trim();
  const p = PERIOD.exec(text);
  if (p) {
    const [y, mo, d] = [Number(p[1]), p[2] ? Number(p[2]) : undefined, p[3] ? Number(p[3]) : undefined];
    checkCalendar(text, y, mo ?? 1, d ?? 1);
    ctx.assumedZone = true;
    const start = fromWallClock([y, mo ?? 1, d ?? 1], ctx.tz);
    // The first day of the next period (Date.UTC rolls over months and years).
    const next = new Date(d !== undefined ? Date.UTC(y, mo! - 1, d + 1) : mo !== undefined ? Date.UTC(y, mo, 1) : Date.UTC(y + 1, 0, 1));
    const end = fromWallClock([next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()], ctx.tz);
    return { start, periodEnd: end };
  }
  const m = DATETIME.exec(text);
  if (!m) throw new TimeError(`"${text}" is not a date or time (${EXAMPLE})`);
  const f = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x)));
  checkCalendar(text, f[0]!, f[1]!, f[2]!, f[3], f[4], f[5]);
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const zone = m[8];
  if (!zone) {
    ctx.assumedZone = true;
    return { start: fromWallClock([...f, ms], ctx.tz) };
  }
  const utc = Date.UTC(f[0]!, f[1]! - 1, f[2]!, f[3]!, f[4]!, f[5]!, ms);
  if (/^z$/i.test(zone)) return { start: utc };
  const [, sign, hh, mm] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  const offset = (Number(hh) * 60 + Number(mm ?? 0)) * 60_000 * (sign === '-' ? -1 : 1);
  return { start: utc - offset };
}

const iso = (epoch: number) => new Date(epoch).toISOString();

/** One instant as the server takes it. */
export function instant(value: unknown, ctx: TimeContext): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'string') throw new TimeError(`expected a date or time as text (${EXAMPLE}), got ${JSON.stringify(value)}`);
  return iso(parseTime(value, ctx).start);
}

/** A range written `A..B`: B, when a day/month/year, includes that whole period. */
function range(text: string, ctx: TimeContext): { start: string; end: string } | null {
  const at = text.indexOf('..');
  if (at < 0) return null;
  const a = parseTime(text.slice(0, at), ctx);
  const b = parseTime(text.slice(at + 2), ctx);
  const end = b.periodEnd ?? b.start;
  if (end <= a.start) throw new TimeError(`"${text}": the end must be after the start`);
  return { start: iso(a.start), end: iso(end) };
}

/**
 * A memory's time: `{start, end?}` (each a time as above), or text: one time (a point) or `A..B`
 * (a range). null stays null (clears it).
 */
export function memoryTemporal(value: unknown, ctx: TimeContext): { start: string; end?: string | null } | null {
  if (value === null) return null;
  if (typeof value === 'string' || value instanceof Date) {
    if (typeof value === 'string') {
      const r = range(value, ctx);
      if (r) return r;
    }
    return { start: instant(value, ctx) };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TimeError(`expected {"start": …, "end": …} or a time such as 2027-03-01, got ${JSON.stringify(value)}`);
  const o = value as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'start' && k !== 'end');
  if (extra.length) throw new TimeError(`unknown key "${extra[0]}": a time has "start" and optionally "end"`);
  if (o.start === undefined) throw new TimeError('"start" is missing');
  const out: { start: string; end?: string | null } = { start: wrapKey('start', () => instant(o.start, ctx)) };
  if (o.end !== undefined && o.end !== null) out.end = wrapKey('end', () => instant(o.end, ctx));
  else if (o.end === null) out.end = null;
  if (out.end && Date.parse(out.end) <= Date.parse(out.start)) throw new TimeError('"end" must be after "start" (ranges are [start, end))');
  return out;
}

/** A search filter's times: before, after, contains (instants) and overlaps {start, end}. */
export function temporalFilter(value: unknown, ctx: TimeContext): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TimeError('expected an object with before, after, contains or overlaps');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'before' || k === 'after' || k === 'contains') out[k] = wrapKey(k, () => instant(v, ctx));
    else if (k === 'overlaps') {
      const o = v as Record<string, unknown> | null;
      if (!o || typeof o !== 'object') throw new TimeError('"overlaps" needs {"start": …, "end": …}');
      out.overlaps = { start: wrapKey('overlaps.start', () => instant(o.start, ctx)), end: wrapKey('overlaps.end', () => instant(o.end, ctx)) };
    } else throw new TimeError(`unknown key "${k}": use before, after, contains or overlaps`);
  }
  return out;
}

/** `--during`: a day, month or year, an `A..B` range, or one instant → a search time filter. */
export function during(text: string, ctx: TimeContext): Record<string, unknown> {
  const r = range(text, ctx);
  if (r) return { overlaps: r };
  const t = parseTime(text, ctx);
  return t.periodEnd !== undefined ? { overlaps: { start: iso(t.start), end: iso(t.periodEnd) } } : { contains: iso(t.start) };
}

function wrapKey<T>(key: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TimeError) throw new TimeError(`${key}: ${err.message}`);
    throw err;
  }
}
