import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonPathProblem } from '../../contracts/jsonpath.js';
import { accepted, refused } from '../support/jsonpath-examples.js';

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
