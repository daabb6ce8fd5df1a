import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importCycles, importGraph, wrongWayImports } from '../../scripts/check-folders.js';

describe('folder layout', () => {
  const graph = importGraph();

  it('reads the whole tree', () => {
    assert.ok(graph.size > 100, `only ${graph.size} source files found`);
    assert.ok([...graph.keys()].some((f) => f.startsWith('contracts/')) && [...graph.keys()].some((f) => f.startsWith('web/')));
  });

  it('every import between top-level folders points one way', () => {
    assert.deepEqual(wrongWayImports(graph), []);
  });

  it('no import cycle', () => {
    assert.deepEqual(importCycles(graph).map((c) => c.join(' → ')), []);
  });

  it('the checker sees a wrong-way import and a cycle', () => {
    const bad = new Map([['db/a.ts', ['db/b.ts']], ['db/b.ts', ['db/a.ts', 'server/start.ts']]]);
    assert.equal(wrongWayImports(bad).length, 1);
    assert.deepEqual(importCycles(bad), [['db/a.ts', 'db/b.ts']]);
  });
});
