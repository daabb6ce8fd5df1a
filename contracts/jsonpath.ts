import { z } from 'zod';
import { storable } from './text.js';

// The `where` filter of memory.search: a Postgres SQL/JSON path predicate on meta. Postgres
// evaluates it on every candidate row, so forms whose cost grows with the product of two arrays
// (or that read the whole document from inside a filter) could keep the database busy for
// seconds per row. This parses the expression and refuses those forms up front; Postgres then
// parses it again and decides everything else. The accepted subset (README "Search"):
//   - paths from the root: `$.a`, `$."key with spaces"`, `$.a[0]`, `$.a[last]`, `$.a[1 to 3]`,
//     `$.a[*]`, `$.*`, methods like `.size()`, `.type()`, `.datetime("YYYY-MM-DD")`;
//   - comparisons of a path with a constant: `$.priority > 2`, `$.tags[*] == "x"`,
//     `$.due.datetime() < "2025-01-01".datetime()`, `$.name starts with "a"`,
//     `$.name like_regex "^a.*z$" flag "i"`, `exists($.a)`, `(… ) is unknown`;
//   - filters on the current item: `$.items[*] ? (@.done == false && @.size > 3)`;
//   - `&&`, `||`, `!`, parentheses, `strict` / `lax`, arithmetic (at most 8 operators).
// Refused: variables (`$name`), `.**`, `$` inside a filter (use `@`), a comparison with a path on
// both sides, paths inside array subscripts or method arguments, regex back-references,
// numbers outside ±1e308, and expressions over 1,000 characters.

export const WHERE_MAX_LENGTH = 1000;
const MAX_ARITHMETIC = 8;

type Tok =
  | { t: 'str'; v: string; at: number }
  | { t: 'num'; v: string; at: number }
  | { t: 'id'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; v: ''; at: number };

export class JsonPathRefused extends Error {}
const refuse = (message: string): never => { throw new JsonPathRefused(message); };
const invalid = (message: string): never => refuse(`is not a valid JSONPath predicate: ${message}`);

// Characters that end an identifier (Postgres' jsonpath scanner treats every other one as part of it).
const SPECIAL = new Set('?%$.[]{}()|&!=<>@#,*:-+/\\" \t\n\r\f'.split(''));
const OPERATORS = ['**', '==', '!=', '<>', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '{', '}', '.', ',', '*', '?', '@', '+', '-', '/', '%', '$'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (' \t\n\r\f'.includes(c)) { i++; continue; }
    if (src.startsWith('/*', i)) {
      const close = src.indexOf('*/', i + 2);
      if (close < 0) invalid(`unterminated comment at position ${i}`);
      i = close + 2;
      continue;
    }
    const at = i;
    if (c === '"') {
      let v = '';
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) { v += src[i]! + src[i + 1]!; i += 2; } else v += src[i++]!;
      }
      if (i >= src.length) invalid(`unterminated string at position ${at}`);
      i++;
      out.push({ t: 'str', v, at });
      continue;
    }
    if (c === '$' && i + 1 < src.length && (src[i + 1] === '"' || !SPECIAL.has(src[i + 1]!))) {
      refuse(`variables such as "${src.slice(i, i + 12).split(/[\s)]/)[0]}" are not supported; write the value itself, e.g. $.priority > 2`);
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:[0-9][0-9_]*)?(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9_]+)?)/.exec(src.slice(i))!;
      i += m[0].length;
      out.push({ t: 'num', v: m[0], at });
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) { out.push({ t: 'op', v: op, at }); i += op.length; continue; }
    let j = i;
    while (j < src.length && !SPECIAL.has(src[j]!)) j++;
    if (j === i) invalid(`unexpected "${c}" at position ${i}`);
    out.push({ t: 'id', v: src.slice(i, j), at });
    i = j;
  }
  out.push({ t: 'end', v: '', at: src.length });
  return out;
}

// What the checks need to know of a parsed expression: whether it reads the document ($ or @).
type Reads = boolean;

// Binding powers, as in Postgres' jsonpath grammar: || < && < ! < comparisons < + - < * / % < unary.
const BINARY: Record<string, number> = { '||': 1, '&&': 2, '==': 4, '!=': 4, '<>': 4, '<': 4, '<=': 4, '>': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };
const COMPARISON = 4;

class Parser {
  private i = 0;
  /** > 0 while parsing inside a filter `? (…)`. */
  private filterDepth = 0;
  private arithmetic = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(k = 0) { return this.toks[Math.min(this.i + k, this.toks.length - 1)]!; }
  private next() { return this.toks[Math.min(this.i++, this.toks.length - 1)]!; }
  private is(v: string, k = 0) { const t = this.peek(k); return (t.t === 'op' || t.t === 'id') && t.v === v; }
  private expect(v: string) {
    const t = this.next();
    if ((t.t !== 'op' && t.t !== 'id') || t.v !== v) this.unexpected(t, `expected "${v}"`);
  }
  private unexpected(t: Tok, why = 'unexpected'): never {
    return invalid(t.t === 'end' ? `${why} at the end` : `${why} "${t.v}" at position ${t.at}`);
  }

  parse(): void {
    if ((this.is('strict') || this.is('lax')) && this.peek(1).t !== 'end') this.next();
    this.expr(0);
    const t = this.peek();
    if (t.t !== 'end') this.unexpected(t);
  }

  /** Precedence climbing over binary operators whose binding power is at least `minPower`. */
  private expr(minPower: number): Reads {
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      if (t.t === 'id' && (t.v === 'starts' || t.v === 'like_regex') && COMPARISON >= minPower) {
        this.next();
        if (t.v === 'starts') this.expect('with');
        const pattern = this.next();
        if (pattern.t !== 'str') this.unexpected(pattern, `"${t.v}" needs a string; unexpected`);
        if (t.v === 'like_regex') {
          if (/\\[1-9]/.test(pattern.v)) refuse('like_regex patterns may not use back-references (\\1 …)');
          if (this.is('flag')) { this.next(); if (this.next().t !== 'str') refuse('flag needs a string, e.g. flag "i"'); }
        }
        continue;
      }
      const power = t.t === 'op' ? BINARY[t.v] : undefined;
      if (power === undefined || power < minPower) break;
      this.next();
      if (power > COMPARISON) this.countArithmetic();
      const right = this.expr(power + 1);
      if (power === COMPARISON && left && right) {
        refuse(`"${t.v}" at position ${t.at} compares two paths; compare a path with a constant, e.g. $.a == 1 (comparing two arrays costs their product)`);
      }
      left = left || right;
    }
    return left;
  }

  private countArithmetic() {
    if (++this.arithmetic > MAX_ARITHMETIC) refuse(`at most ${MAX_ARITHMETIC} arithmetic operators are allowed`);
  }

  private prefix(): Reads {
    const t = this.peek();
    if (t.t === 'op' && t.v === '!') { this.next(); return this.expr(3); }
    if (t.t === 'op' && (t.v === '-' || t.v === '+')) {
      this.next();
      this.countArithmetic();
      return this.expr(7);
    }
    if (t.t === 'id' && t.v === 'exists' && this.is('(', 1)) {
      this.next(); this.next();
      const inner = this.expr(0);
      this.expect(')');
      return inner;
    }
    const primary = this.primary();
    return this.accessors(primary);
  }

  private primary(): Reads {
    const t = this.next();
    if (t.t === 'str') return false;
    if (t.t === 'num') { checkNumber(t.v); return false; }
    if (t.t === 'id' && ['true', 'false', 'null', 'last'].includes(t.v)) return false;
    if (t.t === 'op' && t.v === '$') {
      if (this.filterDepth > 0) refuse(`"$" inside a filter (at position ${t.at}) re-reads the whole document for every item; refer to the item with @`);
      return true;
    }
    if (t.t === 'op' && t.v === '@') return true;
    if (t.t === 'op' && t.v === '(') {
      const inner = this.expr(0);
      this.expect(')');
      if (this.is('is')) { this.next(); this.expect('unknown'); }
      return inner;
    }
    return this.unexpected(t);
  }

  private accessors(reads: Reads): Reads {
    for (;;) {
      if (this.is('.')) {
        this.next();
        const t = this.next();
        if (t.t === 'op' && t.v === '**') refuse('".**" (any depth) is not supported; name the keys on the way, e.g. $.a.b or $.a.*');
        if (t.t === 'op' && t.v === '*') continue;
        if (t.t !== 'id' && t.t !== 'str') this.unexpected(t, 'expected a key after "."');
        if (t.t === 'id' && this.is('(')) this.methodArguments();
        continue;
      }
      if (this.is('[')) {
        this.next();
        if (this.is('*') && this.is(']', 1)) { this.next(); this.next(); continue; }
        for (;;) {
          this.subscript();
          if (this.is('to')) { this.next(); this.subscript(); }
          if (this.is(',')) { this.next(); continue; }
          break;
        }
        this.expect(']');
        continue;
      }
      if (this.is('?')) {
        this.next();
        this.expect('(');
        this.filterDepth++;
        this.expr(0);
        this.filterDepth--;
        this.expect(')');
        continue;
      }
      return reads;
    }
  }

  private subscript() {
    const at = this.peek().at;
    if (this.expr(COMPARISON + 1)) refuse(`array subscripts (at position ${at}) take numbers, last and arithmetic on them, not paths`);
  }

  private methodArguments() {
    this.expect('(');
    while (!this.is(')')) {
      const t = this.next();
      if (t.t === 'num') checkNumber(t.v);
      else if (t.t !== 'str' && !(t.t === 'op' && (t.v === ',' || t.v === '-' || t.v === '+'))) this.unexpected(t, 'method arguments are constants; unexpected');
    }
    this.next();
  }
}

function checkNumber(text: string) {
  const n = Number(text.replace(/_/g, ''));
  if (text.length > 40 || !Number.isFinite(n)) refuse(`the number ${text.slice(0, 20)}${text.length > 20 ? '…' : ''} is outside ±1e308 or longer than 40 characters`);
}

/** Why a `where` expression is refused, or null when it is in the accepted subset. */
export function jsonPathProblem(where: string): string | null {
  if (where.length > WHERE_MAX_LENGTH) return `is ${where.length} characters; at most ${WHERE_MAX_LENGTH} are allowed`;
  if (!where.trim()) return 'is empty; give a predicate such as $.priority > 2';
  try {
    new Parser(tokenize(where)).parse();
    return null;
  } catch (err) {
    if (err instanceof JsonPathRefused) return err.message;
    throw err;
  }
}

/** The `where` parameter: a JSONPath predicate in the accepted subset (reason INVALID_JSONPATH). */
export const whereSchema = z
  .string()
  .check(storable)
  .superRefine((where, ctx) => {
    const problem = jsonPathProblem(where);
    const quoted = problem?.startsWith('is not a valid') ? `"${where.length > 60 ? where.slice(0, 60) + '…' : where}" ` : '';
    if (problem) ctx.addIssue({ code: 'custom', message: `${quoted}${problem} (see README "Search" for the accepted JSONPath subset)`, input: where, params: { reason: 'INVALID_JSONPATH' } });
  })
  .describe('A JSONPath predicate on meta, e.g. `$.priority > 2`.');
