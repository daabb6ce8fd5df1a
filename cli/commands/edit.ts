import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option, UsageError } from 'clipanion';
import { MeError } from '../client/errors.js';
import { renderResult } from '../util/render.js';
import { MeCommand, UUID } from './base.js';

export class EditCommand extends MeCommand {
  static override paths = [['memory', 'edit'], ['edit']];
  static override usage = Command.Usage({
    category: 'Memories',
    description: 'Edit a memory in $EDITOR and save it with a version check.',
    details:
      'Opens the content in $VISUAL or $EDITOR (vi by default). When you close the editor the change is saved with ' +
      'the version you started from: if someone changed the memory meanwhile, nothing is overwritten and you get a ' +
      'CONFLICT error (your text is kept in a file for you to merge).',
    examples: [['Edit by path', '$0 edit /team/process/deploys'], ['With another editor', 'EDITOR=nano $0 memory edit /notes/todo']],
  });
  ref = Option.String({ name: 'id|path' });

  async execute() {
    const client = await this.client();
    const m = (await client.call(UUID.test(this.ref) ? 'memory.get' : 'memory.getByPath', UUID.test(this.ref) ? { id: this.ref } : { path: this.ref })) as any;
    const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
    const dir = mkdtempSync(join(tmpdir(), 'me-edit-'));
    const file = join(dir, `${m.name ?? m.id}.md`);
    writeFileSync(file, m.content, { mode: 0o600 });
    const run = spawnSync(`${editor} "${file}"`, { stdio: 'inherit', shell: true });
    if (run.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new UsageError(`the editor (${editor}) exited with status ${run.status}; nothing was saved`);
    }
    const content = readFileSync(file, 'utf8');
    if (content === m.content) {
      rmSync(dir, { recursive: true, force: true });
      await this.emit({ ...m, changed: false }, () => 'No change.');
      return 0;
    }
    try {
      const r = await client.call('memory.update', { id: m.id, version: m.version, content });
      rmSync(dir, { recursive: true, force: true });
      await this.emit(r, () => renderResult('memory.update', r));
      return 0;
    } catch (err) {
      if (err instanceof MeError) err.details.data = { ...err.details.data, hint: `your text is saved in ${file}` };
      throw err;
    }
  }
}
