import { LABEL, NAME, parseMemoryPath, parseTree } from '../../contracts/path-syntax.js';

// File and folder names → memory names and tree labels (README "Import and export"):
//  - accents are dropped (é → e), every space becomes _, and any other character a name cannot
//    hold becomes _ (a name: letters, digits, _ . -; a tree label: letters, digits, _);
//  - a name cannot start with . or -: such a name gets a leading _; names stop at 128 characters.
// Valid names are kept as they are, and export writes a memory as <name>.md in folders named after
// its tree, so importing an export gives back exactly the same paths.

const plain = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');

/** A file name (without .md) as a memory name. */
export function nameFromFile(stem: string): string {
  let n = plain(stem).replace(/\s/g, '_').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 128);
  if (!/^[A-Za-z0-9_]/.test(n)) n = ('_' + n).slice(0, 128);
  return n || '_';
}

/** A folder name as a tree label. */
export function labelFromFolder(name: string): string {
  return plain(name).replace(/[^A-Za-z0-9_]/g, '_').slice(0, 255) || '_';
}

/** `/My Notes/a b` → `/My_Notes/a_b`: a typed path with every label and name mapped like imported files. */
function mapPath(path: string, named: boolean): string {
  const lead = path.startsWith('/') ? '/' : '';
  const parts = path.replace(/^\/+|\/+$/g, '').split('/');
  const last = parts.length - 1;
  return lead + parts.map((p, i) => (named && i === last ? nameFromFile(p) : labelFromFolder(p))).join('/');
}

/**
 * For a path that is invalid only because of spaces (or other characters import replaces), the
 * path import would have made: `me get "/work/My Notes"` → did you mean /work/My_Notes.
 */
export function suggestPath(path: string, kind: 'tree' | 'memory'): string | undefined {
  if (!/\s/.test(path)) return undefined;
  const mapped = mapPath(path.trim(), kind === 'memory');
  return (kind === 'memory' ? parseMemoryPath(mapped).ok : parseTree(mapped).ok) ? mapped : undefined;
}

export { LABEL, NAME };
