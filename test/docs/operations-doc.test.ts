import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { contracts } from '../../contracts/index.js';
import { withPlaybook } from '../../server/docs/connector-doc.js';
import { operationsMarkdown } from '../../server/docs/operations-doc.js';
import { PLAYBOOK } from '../../mcp/playbook.js';
import { operations } from '../../server/registry.js';
import { packageRoot } from '../../db/package-root.js';

it('docs/operations.md is generated from the current contracts (run `npm run docs`)', () => {
  const onDisk = readFileSync(join(packageRoot, 'docs', 'operations.md'), 'utf8');
  assert.equal(onDisk, operationsMarkdown(), 'docs/operations.md is stale: run `npm run docs` and commit it');
});

it('every contract has exactly one handler and unique names', () => {
  const names = contracts.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual([...operations.keys()].sort(), [...names].sort());
});

it('MCP_CONNECTOR.md shows the playbook the servers send (run `npm run docs`)', () => {
  const onDisk = readFileSync(join(packageRoot, 'MCP_CONNECTOR.md'), 'utf8');
  assert.equal(onDisk, withPlaybook(onDisk), 'the playbook in MCP_CONNECTOR.md is stale: run `npm run docs` and commit it');
  assert.ok(onDisk.includes(PLAYBOOK));
});
