import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { Command, Option, UsageError } from 'clipanion';
import { MeError } from '../client/errors.js';
import {
  detectFormat, FORMATS, ImportError, isDirectory, markdownFile, parseDocument, parseMarkdown, readMarkdownDir, renderMarkdown, toMemoryInput,
  whereOf, writeFileMkdir, type Format, type Item,
} from '../io/formats.js';
import { progress } from '../util/progress.js';
import { plural } from '../util/render.js';
import { timeContext, type TimeContext } from '../util/time.js';
import { MeCommand } from './base.js';
import { checkPath } from './flags.js';

const MAX_BATCH = 1000; // memory.batchCreate's limit
const MAX_BATCH_BYTES = 700_000; // stay under the server's default 1 MB body limit

function joinTree(prefix: string | undefined, tree: string) {
  if (!prefix) return tree;
  const a = prefix.replace(/\/+$/, '');
  const b = tree.replace(/^\/+/, '');
  return b ? `${a}/${b}` : a || '/';
}

/** Splits items into batches within the count and size limits. */
export function chunk(items: Item[], maxCount: number): Item[][] {
  const out: Item[][] = [];
  let cur: Item[] = [];
  let bytes = 0;
  for (const it of items) {
    const size = Buffer.byteLength(JSON.stringify(it)) + 1;
    if (cur.length && (cur.length >= maxCount || bytes + size > MAX_BATCH_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(it);
    bytes += size;
  }
  if (cur.length) out.push(cur);
  return out;
}

export class ImportCommand extends MeCommand {
  static override paths = [['import']];
  static override usage = Command.Usage({
    category: 'Memories',
    description: 'Import memories from a Markdown directory, JSON, NDJSON or YAML.',
    details:
      'A directory is read as Markdown: folders become the tree, the file name (without .md) the name, and YAML ' +
      'front matter the meta (the keys `temporal` and `unnamed` are reserved). Names: a file or folder name that is ' +
      'not a valid name keeps its letters, digits, _ . and -, loses accents (é → e), and every space or other character ' +
      'becomes _ ("My Notes.md" → My_Notes); the import lists every file it renamed. Export writes <name>.md, so an ' +
      'export imports back to the same paths. Times (`temporal`, in front matter or files) may be a date (2027-03-01), ' +
      'a date-time with or without a zone (without one it is read in --tz, UTC by default), a range A..B, or ' +
      '{start, end}. JSON and YAML hold a list of {tree, name, content, meta, temporal} (or {path, content, …}); ' +
      'NDJSON one such object per line; `-` reads stdin. Every memory is checked before anything is sent (a problem ' +
      'names its file and line), and --dry-run runs exactly those checks. Memories are written in batches ' +
      '(memory.batchCreate, all-or-nothing per batch) with a progress bar. An import is idempotent and resumable: every ' +
      'memory gets its id before anything is sent (an `id` in the input, as exports write, is kept; otherwise one is derived ' +
      'from the input, its position and the time of its first import here, recorded under ~/.cache/me/imports), so running ' +
      'the same import again, after an interruption of any kind or after it finished, stores nothing twice: memories already ' +
      'there stay as they are (no new version); named ones whose file changed are replaced (default) or kept (--on-conflict ' +
      'ignore). The id of a deleted memory stops the import (restore it with `me restore`); ids of another space (its export) ' +
      'are replaced by new ones derived from them. ' +
      '--from reads conversations instead: claude-code session transcripts (a directory such as ~/.claude/projects, or one .jsonl), ' +
      'claude-export (the claude.ai data export\'s conversations.json, or its folder), chatgpt-export (ChatGPT\'s conversations.json): ' +
      'one memory per conversation under /conversations/<source> (below --tree), named after its title and id, a readable ' +
      'transcript as content, its date as temporal, source ids in meta; importing again updates only the conversations that changed.',
    examples: [
      ['Import a folder of notes under /notes', '$0 import ./notes --tree /notes'],
      ['Import an export from another space', '$0 import backup.ndjson --space team-notes'],
      ['Resume a large import, skipping what is there', '$0 import ./notes --on-conflict ignore'],
      ['Claude Code sessions, one memory per session', '$0 import ~/.claude/projects --from claude-code'],
      ['A ChatGPT data export (unzipped)', '$0 import ./chatgpt-export/conversations.json --from chatgpt-export'],
    ],
  });
  source = Option.String({ name: 'source' });
  format = Option.String('--format,-f', { description: `One of ${FORMATS.join(', ')} (default: from the extension; a directory is md)` });
  tree = Option.String('--tree', { description: 'Tree prefix to put everything under, e.g. /notes' });
  onConflict = Option.String('--on-conflict', 'replace', { description: 'For named memories that exist: replace (default), ignore or error' });
  batch = Option.String('--batch', '500', { description: `Memories per request (1-${MAX_BATCH}, default 500)` });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Read and check everything exactly as a real import would, then stop before writing' });
  tz = Option.String('--tz', { description: 'Time zone for times written without one (front matter, files), e.g. Europe/Paris. Default: UTC.' });
  from = Option.String('--from', { description: 'Conversations: claude-code (~/.claude/projects), claude-export (claude.ai conversations.json), chatgpt-export (ChatGPT conversations.json)' });
  static placeholders = { '--format': `<${FORMATS.join('|')}>`, '--from': '<claude-code|claude-export|chatgpt-export>' };
  static choices = { '--format': FORMATS, '--on-conflict': ['replace', 'ignore', 'error'], '--from': ['claude-code', 'claude-export', 'chatgpt-export'] };

  async execute() {
    if (!['replace', 'ignore', 'error'].includes(this.onConflict)) throw new UsageError(`--on-conflict takes replace, ignore or error; got "${this.onConflict}"`);
    const batchSize = Number(this.batch);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) throw new UsageError(`--batch is a number from 1 to ${MAX_BATCH}; got "${this.batch}"`);
    if (this.format && !FORMATS.includes(this.format as Format)) throw new UsageError(`--format takes ${FORMATS.join(', ')}; got "${this.format}"`);
    if (this.tree) checkPath('--tree', this.tree, 'tree');
    let tc: TimeContext;
    try {
      tc = timeContext(this.tz ?? 'UTC');
    } catch (err) {
      throw new UsageError(`--tz: ${(err as Error).message}`);
    }
    if (this.source !== '-') statSync(this.source); // a missing source is a clear "no such file" error
    const format = (this.format ?? (this.source === '-' || this.from ? 'ndjson' : detectFormat(this.source, isDirectory(this.source)))) as Format;

    let items: Item[];
    let skipped = 0;
    const renamedItems: [string, Item][] = [];
    if (this.from) {
      const { CONVERSATION_SOURCES, readConversations } = await import('../io/conversations.js');
      if (!(CONVERSATION_SOURCES as readonly string[]).includes(this.from)) throw new UsageError(`--from takes ${CONVERSATION_SOURCES.join(', ')}; got "${this.from}"`);
      const read = readConversations(this.from as (typeof CONVERSATION_SOURCES)[number], this.source);
      items = read.items;
      skipped = read.empty;
      if (read.empty) this.note(`skipped ${plural(read.empty, 'conversation', 'conversations')} without messages`);
    } else if (format === 'md') {
      if (!isDirectory(this.source)) {
        const base = this.source.split(/[\\/]/).pop()!;
        items = [await parseMarkdown(readFileSync(this.source, 'utf8'), '/', base, { file: this.source, tc })];
      } else {
        items = await readMarkdownDir(this.source, tc, (f, why) => {
          skipped++;
          this.note(`skipped ${f}: ${why}`);
        }, (file, item) => renamedItems.push([file, item]));
      }
    } else {
      const text = this.source === '-' ? await readAll(this.context.stdin) : readFileSync(this.source, 'utf8');
      items = await parseDocument(text, format, this.source === '-' ? 'stdin' : this.source, tc);
    }
    for (const it of items) it.tree = joinTree(this.tree, it.tree);
    const renamed = renamedItems.map(([file, it]) => `${file} → ${it.tree.replace(/\/+$/, '')}/${it.name}`);
    if (tc.assumedZone && !this.tz) this.note('note: times without a zone were read as UTC (pass --tz <zone> to change that).');
    if (renamed.length) {
      this.note(`note: ${renamed.length === 1 ? '1 file name was' : `${renamed.length} file names were`} changed into valid memory names (spaces and other characters become _; see \`me import --help\`):\n` +
        renamed.slice(0, 5).map((r) => `  ${r}`).join('\n') + (renamed.length > 5 ? `\n  … and ${renamed.length - 5} more` : ''));
    }
    // Everything is checked before anything is sent, with the operation's own schema: a dry run
    // reports exactly what the real run would reject.
    const { importProblems, describeProblems, locateBatchError } = await import('../io/validate.js');
    const problems = importProblems(items);
    if (problems.length) throw new ImportError(describeProblems(problems));
    const settings = await this.settings();
    // Every memory gets its id before anything is sent (io/ids.ts): a re-run after any interruption
    // sends the same ids, and the server stores each memory once.
    const { assignIds, digestOf } = await import('../io/ids.js');
    const sent = items.map((it) => toMemoryInput({ ...it, id: undefined }));
    const assigned = assignIds({ server: settings.server, space: settings.space }, digestOf(sent), items.map((it) => it.id), { dryRun: this.dryRun });
    items.forEach((it, i) => { it.id = assigned.ids[i]; });
    const total = { items: items.length, created: 0, replaced: 0, unchanged: 0, ignored: 0, renumbered: 0, skipped, batches: 0 };
    if (this.dryRun || !items.length) {
      await this.emit({ ...total, dryRun: this.dryRun }, () =>
        this.dryRun ? `${plural(items.length, 'memory', 'memories')} to import, all valid (dry run: nothing written).` : 'Nothing to import.');
      return 0;
    }
    const client = await this.client();
    const bar = progress('importing', items.length, this.context.stderr as NodeJS.WriteStream);
    let done = 0;
    for (const batch of chunk(items, batchSize)) {
      for (let attempt = 1; ; attempt++) {
        try {
          const r = (await client.call('memory.batchCreate', { memories: batch.map(toMemoryInput), onConflict: this.onConflict as 'replace' })) as { created: number; replaced: number; ignored: number; unchanged?: number };
          total.created += r.created;
          total.replaced += r.replaced;
          total.ignored += r.ignored;
          total.unchanged += r.unchanged ?? 0;
          break;
        } catch (err) {
          // Ids of another space (an export of it): import copies under ids derived from them.
          const taken = err instanceof MeError && err.reason === 'ID_TAKEN' && attempt === 1 ? new Set(err.details.data?.ids as string[]) : undefined;
          if (taken?.size) {
            for (const it of batch) {
              if (it.id && taken.has(it.id)) {
                it.id = assigned.renumber(it.id);
                total.renumbered++;
              }
            }
            continue;
          }
          bar.done();
          if (err instanceof MeError) {
            const first = batch[0]!;
            const located = locateBatchError(err.message, err.details.data?.issues as { path: string[]; message: string }[] | undefined, batch);
            throw new MeError(err.code, located, {
              ...err.details,
              data: {
                ...err.details.data,
                hint: `${done} of ${items.length} were imported before this batch (starting at ${whereOf(first)}); fix the input and run the same import again to resume (memories already stored are left as they are)`,
              },
            });
          }
          throw err;
        }
      }
      total.batches++;
      done += batch.length;
      bar.update(done);
    }
    bar.done();
    if (total.renumbered) this.note(`note: ${plural(total.renumbered, 'id belongs', 'ids belong')} to memories of another space; ${total.renumbered === 1 ? 'that memory was' : 'those memories were'} imported with new ids.`);
    await this.emit(total, () =>
      `Imported ${plural(items.length, 'memory', 'memories')}: ${total.created} created, ${total.replaced} replaced, ${total.unchanged} unchanged, ${total.ignored} kept as they were.`);
    return 0;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

interface Exported extends Item { id: string; path: string }

export class ExportCommand extends MeCommand {
  static override paths = [['export']];
  static override usage = Command.Usage({
    category: 'Memories',
    description: 'Export memories to a Markdown directory, JSON, NDJSON or YAML.',
    details:
      'The target format follows the extension (a path without one, or --format md, is a Markdown directory: ' +
      'one file per memory, folders for the tree, front matter for meta). `-` writes NDJSON (or --format) to ' +
      'stdout. Every memory is written with its id (JSON, NDJSON and YAML: an `id` field; Markdown: unnamed memories are ' +
      '<id>.md, named ones are known by their path), so importing an export back stores nothing twice.',
    examples: [
      ['Everything as Markdown files', '$0 export ./backup'],
      ['One subtree as NDJSON on stdout', '$0 export - --tree /projects/alpha'],
      ['As YAML', '$0 export memories.yaml'],
    ],
  });
  target = Option.String({ name: 'target' });
  format = Option.String('--format,-f', { description: `One of ${FORMATS.join(', ')}` });
  tree = Option.String('--tree', { description: 'Only memories at or below this tree' });
  static placeholders = { '--format': `<${FORMATS.join('|')}>` };
  static choices = { '--format': FORMATS };

  async execute() {
    if (this.format && !FORMATS.includes(this.format as Format)) throw new UsageError(`--format takes ${FORMATS.join(', ')}; got "${this.format}"`);
    if (this.tree) checkPath('--tree', this.tree, 'tree');
    let format: Format;
    try {
      format = (this.format ?? (this.target === '-' ? 'ndjson' : /\.[a-z]+$/i.test(this.target) ? detectFormat(this.target, false) : 'md')) as Format;
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (format === 'md' && this.target === '-') throw new UsageError('Markdown exports go to a directory: give a directory path');
    const client = await this.client();
    const items: Exported[] = [];
    let cursor: string | null = null;
    do {
      const page = (await client.call('memory.search', {
        limit: 100,
        fields: ['content', 'meta', 'temporal'],
        ...(this.tree ? { tree: this.tree } : {}),
        ...(cursor ? { cursor } : {}),
      })) as { results: any[]; nextCursor: string | null };
      for (const r of page.results) items.push({ id: r.id, path: r.path, tree: r.tree, name: r.name, content: r.content, meta: r.meta, temporal: r.temporal });
      cursor = page.nextCursor;
      if (this.target !== '-' && (this.context.stderr as NodeJS.WriteStream).isTTY) this.context.stderr.write(`\rexporting ${items.length}`);
    } while (cursor);
    if (this.target !== '-' && (this.context.stderr as NodeJS.WriteStream).isTTY) this.context.stderr.write('\n');
    items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.id < b.id ? -1 : 1));

    if (format === 'md') {
      for (const it of items) writeFileMkdir(markdownFile(this.target, it), await renderMarkdown(it));
    } else {
      const plain = items.map(({ id, ...rest }) => ({ id, ...rest }));
      let text: string;
      if (format === 'json') text = JSON.stringify(plain, null, 2) + '\n';
      else if (format === 'ndjson') text = plain.map((i) => JSON.stringify(i)).join('\n') + (plain.length ? '\n' : '');
      else text = (await import('yaml')).stringify(plain);
      if (this.target === '-') {
        this.context.stdout.write(text);
        return 0;
      }
      writeFileSync(this.target, text);
    }
    const summary = { exported: items.length, format, target: this.target };
    await this.emit(summary, () => `Exported ${plural(items.length, 'memory', 'memories')} to ${this.target} (${format}).`);
    return 0;
  }
}
