import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonPathProblem } from '../../contracts/jsonpath.js';

// The accepted subset of `where` (README "Search"): what it accepts, Postgres must accept too
// (test/server/jsonpath.test.ts runs these against both databases).
export const accepted = [
  '$.priority > 2',
  '$.priority >= 2 && $.priority < 5',
  '$.source == "slack" || $.source == "email"',
  '!($.done == true)',
  '$.tags[*] == "urgent"',
  '$.tags == "urgent"',
  '$.a[0] == 1',
  '$.a[last] == 1',
  '$.a[1 to last - 1] > 0',
  '$.a[0, 2] == 1',
  '$.* == 1',
  '$."key with spaces" == "x"',
  '$.items[*] ? (@.done == false && @.size > 3).name == "x"',
  'exists($.items[*] ? (@.done == false))',
  '$.items[*] ? (@.tags[*] == "x" && exists(@.owner))',
  '$.name starts with "al"',
  '$.name like_regex "^a.*z$"',
  '$.name like_regex "^A" flag "i"',
  '$.due.datetime() < "2025-01-01".datetime()',
  '$.due.datetime("YYYY-MM-DD") < "2025-01-01".datetime("YYYY-MM-DD")',
  '$.tags.size() > 2',
  '$.n.type() == "number"',
  '$.n + 1 > 2 * 3',
  '-$.n < 0',
  '$.n % 2 == 1',
  '($.a == 1) is unknown',
  'strict $.a == 1',
  'lax $.a[*] == 1',
  '$.a.b.c == null',
  '$.size == 1',
  '$.price == 1.5e3',
  '$.x.keyvalue().key == "a"',
];

export const refused: [string, RegExp][] = [
  ['$.a == $x', /variables/],
  ['$.a == $"x"', /variables/],
  ['$.a[*] ? (@ == $.b[*])', /"\$" inside a filter/],
  ['$.a[*] ? (exists($.b[*] ? (@ == $.a[*])))', /"\$" inside a filter/],
  ['$.a[*] == $.b[*]', /compares two paths/],
  ['$.a == $.b', /compares two paths/],
  ['$ ? (@.a[*] == @.b[*])', /compares two paths/],
  ['$.**.a == 1', /any depth/],
  ['$.a.** == 1', /any depth/],
  ['$.a[$.i] == 1', /subscripts/],
  ['$.a like_regex "(a)\\\\1"', /back-references/],
  ['$.a == 1e400', /±1e308/],
  ['$.a + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 == 0', /arithmetic/],
  ['$.a ==', /at the end/],
  ['$.a == "x', /unterminated string/],
  ['', /empty/],
  ['$.a == ' + '1'.repeat(1000), /at most 1000/],
];

describe('where: the accepted JSONPath subset', () => {
  it('accepts the documented forms', () => {
    for (const where of accepted) assert.equal(jsonPathProblem(where), null, where);
  });
  it('refuses variables, recursive descent, cross products and oversize expressions, saying why', () => {
    for (const [where, why] of refused) assert.match(jsonPathProblem(where) ?? 'accepted', why, where);
  });
  it('never throws or recurses without bound on hostile input', () => {
    for (const where of ['('.repeat(1000), '!'.repeat(1000), '$' + '[0]'.repeat(300) + ' ==', '-'.repeat(1000) + '1', '"\\'.repeat(300)]) {
      assert.equal(typeof jsonPathProblem(where), 'string', where.slice(0, 20));
    }
    assert.equal(jsonPathProblem('$' + '[0]'.repeat(300) + ' == 1'), null);
  });
});
