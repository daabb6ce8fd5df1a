import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withPlaybook } from '../server/docs/connector-doc.js';
import { operationsMarkdown } from '../server/docs/operations-doc.js';
import { packageRoot } from '../db/package-root.js';

const file = join(packageRoot, 'docs', 'operations.md');
writeFileSync(file, operationsMarkdown());
console.log(`wrote ${file}`);
const connector = join(packageRoot, 'MCP_CONNECTOR.md');
writeFileSync(connector, withPlaybook(readFileSync(connector, 'utf8')));
console.log(`wrote ${connector} (playbook)`);
