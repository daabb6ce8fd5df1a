import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { operationsMarkdown } from '../server/docs/operations-doc.js';
import { packageRoot } from '../db/package-root.js';

const file = join(packageRoot, 'docs', 'operations.md');
writeFileSync(file, operationsMarkdown());
console.log(`wrote ${file}`);
