// The layout rule: every import between top-level folders points one way (ALLOWED below), and no
// file imports itself back through a chain (no cycle). `npm test` runs it (test/layout); run it by
// hand with `node --import tsx scripts/check-folders.ts`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { packageRoot } from '../db/package-root.js';

/** Which top-level folders each folder may import from (besides itself). */
export const ALLOWED: Record<string, readonly string[]> = {
  contracts: [],
  db: [],
  mcp: ['contracts'],
  server: ['contracts', 'db', 'mcp'],
  // `me serve` starts the server in-process; nothing in server/ imports the CLI.
  cli: ['contracts', 'mcp', 'server'],
  web: ['contracts'],
};

const SOURCE = /\.(ts|tsx)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return SOURCE.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Resolves a relative specifier (`./x.js`, `../y/index.js`) to the source file it names. */
function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), base]) {
    if (SOURCE.test(candidate) && existsSync(candidate)) return candidate;
  }
  return null;
}

/** Every file's imports of our own files (static, dynamic and type-only). */
export function importGraph(root = packageRoot): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const folder of Object.keys(ALLOWED)) {
    if (!existsSync(join(root, folder))) continue;
    for (const file of sourceFiles(join(root, folder))) {
      const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      const targets = info.importedFiles.map((i) => resolveImport(file, i.fileName)).filter((t): t is string => t !== null);
      graph.set(relative(root, file), targets.map((t) => relative(root, t)));
    }
  }
  return graph;
}

const folderOf = (file: string) => file.split('/')[0]!;

/** Imports that point the wrong way between folders. */
export function wrongWayImports(graph: Map<string, string[]>): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      if (to !== from && !ALLOWED[from]?.includes(to)) problems.push(`${file} imports ${target} (${from}/ may import only ${[from, ...ALLOWED[from]!].join(', ')})`);
    }
  }
  return problems;
}

/** Import cycles, each as the files around it (Tarjan's strongly connected components). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const meta = new Map<string, { index: number; low: number; onStack: boolean }>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    const m = { index, low: index, onStack: true };
    index++;
    meta.set(v, m);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      const n = meta.get(w);
      if (!n) {
        visit(w);
        m.low = Math.min(m.low, meta.get(w)!.low);
      } else if (n.onStack) m.low = Math.min(m.low, n.index);
    }
    if (m.low === m.index) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        meta.get(w)!.onStack = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!meta.has(v)) visit(v);
  return cycles;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(packageRoot, 'scripts/check-folders.ts')) {
  const graph = importGraph();
  const problems = [...wrongWayImports(graph), ...importCycles(graph).map((c) => `import cycle: ${c.join(' → ')}`)];
  for (const p of problems) console.error(p);
  console.log(problems.length ? `${problems.length} layout problem(s)` : `layout ok: ${graph.size} files, every import one way, no cycle`);
  process.exitCode = problems.length ? 1 : 0;
}
