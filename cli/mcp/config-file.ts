import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';

// Editing another program's config file: change only our entry, keep everything else byte for byte
// (other entries, comments, formatting), check the result parses, write atomically.

export type ConfigFormat = 'json' | 'jsonc' | 'toml';

export class ConfigFileError extends Error {}

/** The file's text, or '' when it does not exist yet. */
export function readConfig(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** The parsed document (JSON with comments and trailing commas where the client allows them, or TOML). */
export function parseConfig(file: string, text: string, format: ConfigFormat): Record<string, unknown> {
  if (text.trim() === '') return {};
  if (format === 'toml') {
    try {
      return parseToml(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigFileError(`${file} is not valid TOML (${(err as Error).message.split('\n')[0]}); fix it, or use --print and add the entry by hand`);
    }
  }
  const errors: ParseError[] = [];
  const doc = parse(text, errors, { allowTrailingComma: format === 'jsonc', disallowComments: format === 'json' }) as unknown;
  if (errors.length || !doc || typeof doc !== 'object' || Array.isArray(doc)) {
    const why = errors.length ? `${printParseErrorCode(errors[0]!.error)} at offset ${errors[0]!.offset}` : 'not an object';
    throw new ConfigFileError(`${file} is not valid JSON (${why}); fix it, or use --print and add the entry by hand`);
  }
  return doc as Record<string, unknown>;
}

const lookup = (doc: unknown, key: string[]) => key.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), doc);

/** The entry at `key`, if the file has one. */
export const entryAt = (doc: Record<string, unknown>, key: string[]) => lookup(doc, key);

// TOML: our entry is one table, `[a.b]` plus its subtables; it is replaced or removed as text.
const tomlKey = (k: string) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k));
const tomlValue = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(', ')}]`;
  if (v && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${tomlKey(k)} = ${tomlValue(x)}`).join(', ')} }`;
  return JSON.stringify(v); // strings (JSON escapes are TOML basic-string escapes), numbers, booleans
};
const headerOf = (line: string) => /^\s*\[\s*([^\][]+?)\s*\]\s*(#.*)?$/.exec(line)?.[1]?.split('.').map((p) => p.trim().replace(/^"(.*)"$|^'(.*)'$/, '$1$2'));
const within = (header: string[] | undefined, key: string[]) => !!header && header.length >= key.length && key.every((k, i) => header[i] === k);

function tomlWithout(text: string, key: string[]): { text: string; removed: boolean } {
  const out: string[] = [];
  let skipping = false;
  let removed = false;
  for (const line of text.split('\n')) {
    const header = headerOf(line) ?? (/^\s*\[\[/.test(line) ? [] : undefined);
    if (header) skipping = within(header, key);
    if (skipping) removed = true;
    else out.push(line);
  }
  return { text: out.join('\n').replace(/\n{3,}$/, '\n\n'), removed };
}

function tomlWith(text: string, key: string[], entry: Record<string, unknown>): string {
  const rest = tomlWithout(text, key).text.replace(/\s*$/, '');
  const table = [`[${key.map(tomlKey).join('.')}]`, ...Object.entries(entry).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`)].join('\n');
  return `${rest ? `${rest}\n\n` : ''}${table}\n`;
}

const jsonFormatting = (text: string) => ({ insertSpaces: !/^\t/m.test(text), tabSize: 2, eol: '\n' });

/** The file's text with our entry set to `entry` (added, or replacing the old one). */
export function withEntry(file: string, text: string, format: ConfigFormat, key: string[], entry: Record<string, unknown>): string {
  parseConfig(file, text, format); // refuse to edit a file we cannot read
  const next = format === 'toml'
    ? tomlWith(text, key, entry)
    : applyEdits(text.trim() === '' ? '{}' : text, modify(text.trim() === '' ? '{}' : text, key, entry, { formattingOptions: jsonFormatting(text) }));
  const check = entryAt(parseConfig(file, next, format), key);
  if (JSON.stringify(check) !== JSON.stringify(entry)) throw new ConfigFileError(`could not place the entry in ${file} safely (it defines ${key.join('.')} in a way this tool does not edit); use --print and add it by hand`);
  return next.endsWith('\n') ? next : next + '\n';
}

/** The file's text without our entry. */
export function withoutEntry(file: string, text: string, format: ConfigFormat, key: string[]): { text: string; removed: boolean } {
  const doc = parseConfig(file, text, format);
  if (entryAt(doc, key) === undefined) return { text, removed: false };
  const next = format === 'toml' ? tomlWithout(text, key).text : applyEdits(text, modify(text, key, undefined, { formattingOptions: jsonFormatting(text) }));
  if (entryAt(parseConfig(file, next, format), key) !== undefined) throw new ConfigFileError(`could not remove ${key.join('.')} from ${file} safely; remove it by hand`);
  return { text: next, removed: true };
}

/** Writes through a temporary file and a rename, so a client never reads half a file; keeps the mode. */
export function writeAtomic(file: string, text: string) {
  mkdirSync(dirname(file), { recursive: true });
  let mode: number | undefined;
  try {
    mode = statSync(file).mode & 0o777;
  } catch { /* a new file */ }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, mode === undefined ? {} : { mode });
  renameSync(tmp, file);
}

/** A unified diff of a file's change, for --dry-run and `me init`. Empty when nothing changes. */
export function fileDiff(file: string, before: string, after: string): string {
  if (before === after) return '';
  return createTwoFilesPatch(before ? file : '/dev/null', file, before, after, '', '', { context: 3 }).replace(/^=+\n/, '');
}
