import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { Command, Option, UsageError } from 'clipanion';
import { MeError } from '../client/errors.js';
import {
  detectFormat, FORMATS, isDirectory, markdownFile, parseDocument, readMarkdownDir, renderMarkdown, writeFileMkdir,
  type Format, type Item,
} from '../io/formats.js';
import { checkpoint } from '../io/checkpoint.js';
import { progress } from '../util/progress.js';
import { MeCommand } from './base.js';

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
      'front matter the meta (the keys `temporal` and `unnamed` are reserved). JSON and YAML hold a list of ' +
      '{tree, name, content, meta, temporal} (or {path, content, …}); NDJSON one such object per line; `-` reads ' +
      'stdin. Memories are written in batches (memory.batchCreate, all-or-nothing per batch) with a progress bar. ' +
      'Named memories make an import idempotent and resumable: run it again after an interruption and existing ' +
      'ones are replaced (default) or kept (--on-conflict ignore). An interrupted import also remembers what it ' +
      'stored (a checkpoint under ~/.cache/me/imports), and the next run of the same import skips that, so ' +
      'unnamed memories are not stored twice either.',
    examples: [
      ['Import a folder of notes under /notes', '$0 import ./notes --tree /notes'],
      ['Import an export from another space', '$0 import backup.ndjson --space team-notes'],
      ['Resume a large import, skipping what is there', '$0 import ./notes --on-conflict ignore'],
    ],
  });
  source = Option.String({ name: 'source' });
  format = Option.String('--format,-f', { description: `One of ${FORMATS.join(', ')} (default: from the extension; a directory is md)` });
  tree = Option.String('--tree', { description: 'Tree prefix to put everything under, e.g. /notes' });
  onConflict = Option.String('--on-conflict', 'replace', { description: 'For named memories that exist: replace (default), ignore or error' });
  batch = Option.String('--batch', '500', { description: `Memories per request (1-${MAX_BATCH}, default 500)` });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Parse and count only' });

  async execute() {
    if (!['replace', 'ignore', 'error'].includes(this.onConflict)) throw new UsageError('--on-conflict is replace, ignore or error');
    const batchSize = Number(this.batch);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) throw new UsageError(`--batch is a number from 1 to ${MAX_BATCH}`);
    if (this.source !== '-') statSync(this.source); // a missing source is a clear "no such file" error
    const format = (this.format ?? (this.source === '-' ? 'ndjson' : detectFormat(this.source, isDirectory(this.source)))) as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format is one of ${FORMATS.join(', ')}`);

    let items: Item[];
    let skipped = 0;
    if (format === 'md') {
      if (!isDirectory(this.source)) {
        readFileSync(this.source); // a clear ENOENT when it does not exist
        const { parseMarkdown } = await import('../io/formats.js');
        const base = this.source.split(/[\\/]/).pop()!;
        items = [await parseMarkdown(readFileSync(this.source, 'utf8'), '/', base)];
      } else {
        items = await readMarkdownDir(this.source, (f, why) => {
          skipped++;
          this.note(`skipped ${f}: ${why}`);
        });
      }
    } else {
      const text = this.source === '-' ? await readAll(this.context.stdin) : readFileSync(this.source, 'utf8');
      items = await parseDocument(text, format, this.source === '-' ? 'stdin' : this.source);
    }
    items = items.map((it) => ({ ...it, tree: joinTree(this.tree, it.tree) }));
    const unnamed = items.filter((i) => !i.name).length;
    if (unnamed && !this.dryRun) this.note(`note: ${unnamed} memories have no name; importing them again would store them twice.`);

    const settings = await this.settings();
    const { resolve } = await import('node:path');
    const cp = checkpoint({ server: settings.server, space: settings.space, source: this.source === '-' ? '-' : resolve(this.source), tree: this.tree });
    const hashes = new Map(items.map((it) => [it, cp.hash(it)]));
    const resumed = items.filter((it) => cp.has(hashes.get(it)!)).length;
    if (resumed && !this.dryRun) {
      this.note(`Resuming: ${resumed} memories were imported by an earlier, interrupted run; skipping them.`);
      items = items.filter((it) => !cp.has(hashes.get(it)!));
    }
    const total = { items: items.length + resumed, created: 0, replaced: 0, ignored: 0, skipped, resumed, batches: 0 };
    if (this.dryRun || !items.length) {
      if (!this.dryRun) cp.clear();
      await this.emit({ ...total, dryRun: this.dryRun }, () => `${items.length} memories to import${this.dryRun ? ' (dry run: nothing written)' : ''}.`);
      return 0;
    }
    const client = await this.client();
    const bar = progress('importing', items.length, this.context.stderr as NodeJS.WriteStream);
    let done = 0;
    for (const batch of chunk(items, batchSize)) {
      const memories = batch.map((i) => ({
        content: i.content,
        tree: i.tree,
        ...(i.name ? { name: i.name } : {}),
        ...(i.meta ? { meta: i.meta } : {}),
        ...(i.temporal ? { temporal: i.temporal } : {}),
      }));
      try {
        const r = (await client.call('memory.batchCreate', { memories, onConflict: this.onConflict as 'replace' })) as { created: number; replaced: number; ignored: number };
        total.created += r.created;
        total.replaced += r.replaced;
        total.ignored += r.ignored;
      } catch (err) {
        bar.done();
        if (err instanceof MeError) {
          const first = batch[0]!;
          err.details.data = {
            ...err.details.data,
            hint: `${done + resumed} of ${items.length + resumed} were imported before this batch (starting at ${joinTree(first.tree, first.name ?? '')}); fix the input and run the same import again to resume`,
          };
        }
        throw err;
      }
      cp.record(batch.map((it) => hashes.get(it)!));
      total.batches++;
      done += batch.length;
      bar.update(done);
    }
    bar.done();
    cp.clear();
    await this.emit(total, () => `Imported ${items.length} memories: ${total.created} created, ${total.replaced} replaced, ${total.ignored} kept as they were.`);
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
      'stdout. Exports re-import with `me import` to the same memories.',
    examples: [
      ['Everything as Markdown files', '$0 export ./backup'],
      ['One subtree as NDJSON on stdout', '$0 export - --tree /projects/alpha'],
      ['As YAML', '$0 export memories.yaml'],
    ],
  });
  target = Option.String({ name: 'target' });
  format = Option.String('--format,-f', { description: `One of ${FORMATS.join(', ')}` });
  tree = Option.String('--tree', { description: 'Only memories at or below this tree' });

  async execute() {
    const format = (this.format ?? (this.target === '-' ? 'ndjson' : /\.[a-z]+$/i.test(this.target) ? detectFormat(this.target, false) : 'md')) as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format is one of ${FORMATS.join(', ')}`);
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
      const plain = items.map(({ id: _id, ...rest }) => rest);
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
    await this.emit(summary, () => `Exported ${items.length} memories to ${this.target} (${format}).`);
    return 0;
  }
}
