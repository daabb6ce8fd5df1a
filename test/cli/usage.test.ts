import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';
import { me, meJson, meTty, sandbox } from './support.js';

// Everything typed is checked before anything is sent: a usage mistake exits 2 with the exact
// problem and the command's usage, and the server is left exactly as it was.
let s: TestServer;
let box: ReturnType<typeof sandbox>;
let env: Record<string, string>;
before(async () => {
  s = await startTestServer();
  box = sandbox();
  env = { ...box.env, ME_SERVER: s.url, ME_API_KEY: s.key };
});
after(async () => {
  await s?.close();
  box?.cleanup();
});

const count = async (tree: string) => (await meJson(['count', tree], { env })).count as number;

async function usage(args: string[], problem: RegExp) {
  const r = await me(args, { env });
  assert.equal(r.code, 2, `me ${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr, problem, `me ${args.join(' ')}`);
  assert.equal(r.stdout, '');
  return r;
}

describe('usage mistakes: exit 2, the exact problem, the usage, nothing written', () => {
  it('conflicting, unknown and value-less flags, bad JSON, bad times and numbers write nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['remember', 'y', '--tree', '/zz', '--json', '--yaml'], /--json and --yaml cannot be used together/],
      [['remember', 'x', '--tree', '/zz', '--bogus-flag'], /unknown option --bogus-flag for `me remember`/],
      [['remember', 'x', '--tre', '/zz'], /unknown option --tre for `me remember`\ndid you mean --tree\?/],
      [['remember', 'x', '--tree'], /--tree needs a value: --tree <path>/],
      [['remember', 'x', '--tree', '/zz', '--meta', '{oops'], /--meta expects JSON/],
      [['remember', 'x', '--tree', '/zz', '--meta', '[1,2]'], /--meta expects a JSON object/],
      [['remember', 'x', '--tree', '/zz', '--temporal', '{"start":"yesterday"}'], /--temporal: start: "yesterday" is not a date or time/],
      [['remember', 'x', '--tree', '/zz', '--temporal', '2027-02-30'], /"2027-02-30" is not a real date/],
      [['remember', 'x', '--tree', '/zz', '--temporal', '2027-03-01', '--tz', 'Mars/Base'], /--tz: unknown time zone "Mars\/Base"/],
      [['remember', 'x', '--tree', '/zz', '--on-conflict', 'merge'], /--on-conflict takes error, replace, ignore; got "merge"/],
      [['remember', 'x', '--tree', '/zz z'], /not a valid path[\s\S]*did you mean \/zz_z\?/],
      [['remember', 'x', '--content', 'y', '--tree', '/zz'], /give content either as an argument or as --content, not both/],
      [['search', '--limit', 'many'], /--limit expects a number, got "many"/],
      [['search', '--limit', '500'], /--limit must be at most 100/],
      [['search', '--during', 'soon'], /--during: "soon" is not a date or time/],
    ];
    for (const [args, problem] of cases) {
      const r = await usage(args, problem);
      assert.match(r.stderr, /\nusage: me (remember|search) .*\nsee `me (remember|search) --help`/, `usage line for ${args.join(' ')}`);
    }
    assert.equal(await count('/zz'), 0);
    assert.equal(await count('/zz_z'), 0);
  });

  it('a delete with a usage mistake deletes nothing', async () => {
    await meJson(['remember', 'keep me', '--tree', '/keep', '--name', 'one'], { env });
    await usage(['rm', '-r', '/keep', '--json', '--yaml'], /--json and --yaml cannot be used together/);
    await usage(['rm', '-r', '/keep', '--bogus'], /unknown option --bogus for `me rm`/);
    await usage(['rm', '/keep/one', '--dry-run'], /--dry-run and --confirm apply to a recursive delete: add -r/);
    await usage(['rm', '-r', '/keep'], /pass --yes to confirm \(no terminal to ask on\)/);
    await usage(['space', 'delete', 'default'], /deleting a space needs confirmation: pass --yes/);
    assert.equal(await count('/keep'), 1);
  });

  it('unknown commands get "did you mean"; a group word alone lists its commands', async () => {
    const typo = await usage(['serch', 'deploys'], /unknown command `me serch`\ndid you mean me search\?/);
    assert.match(typo.stderr, /run `me --help`/);
    await usage(['space', 'lst'], /unknown command `me space lst`\ndid you mean me space list\?/);
    const group = await usage(['space'], /`me space` needs a subcommand/);
    assert.match(group.stderr, /me space rename <slug>/);
    await usage(['rm'], /missing <id\|path\|tree>\nusage: me rm <id\|path\|tree> \[options\]/);
    await usage(['space', 'rename', 'a', 'b'], /unexpected argument "b"/);
  });

  it('a path invalid only because of spaces suggests the name an import would have made', async () => {
    await meJson(['remember', 'notes', '--tree', '/imported/work', '--name', 'My_Notes'], { env });
    const r = await usage(['get', '/imported/work/My Notes'], /is not a memory path[\s\S]*did you mean \/imported\/work\/My_Notes\?/);
    assert.doesNotMatch(r.stderr, /NOT_FOUND/);
  });
});

describe('times as people type them', () => {
  it('dates and zone-less times are read in --tz (UTC by default, said so); --during finds by day, month or range', async () => {
    const day = await me(['remember', 'launch day', '--tree', '/times', '--name', 'launch', '--temporal', '{"start":"2027-03-01"}', '--json'], { env });
    assert.equal(day.code, 0, day.stderr);
    assert.deepEqual(JSON.parse(day.stdout).temporal, { start: '2027-03-01T00:00:00.000Z', end: null });
    assert.match(day.stderr, /times without a zone were read as UTC/);
    const paris = await meJson(['remember', 'standup', '--tree', '/times', '--name', 'standup', '--temporal', '2027-07-01T10:00', '--tz', 'Europe/Paris'], { env });
    assert.equal(paris.temporal.start, '2027-07-01T08:00:00.000Z');
    const range = await meJson(['remember', 'offsite', '--tree', '/times', '--name', 'offsite', '--temporal', '2027-03-10..2027-03-12'], { env });
    assert.deepEqual(range.temporal, { start: '2027-03-10T00:00:00.000Z', end: '2027-03-13T00:00:00.000Z' });
    const zoned = await me(['remember', 'zoned', '--tree', '/times', '--temporal', '2027-05-01T10:00:00+02:00', '--json'], { env });
    assert.equal(JSON.parse(zoned.stdout).temporal.start, '2027-05-01T08:00:00.000Z');
    assert.doesNotMatch(zoned.stderr, /read as UTC/);

    const names = async (args: string[]) => (await meJson(['search', '--tree', '/times', ...args], { env })).results.map((r: { name: string }) => r.name).sort();
    assert.deepEqual(await names(['--during', '2027-03']), ['launch', 'offsite']);
    assert.deepEqual(await names(['--during', '2027-03-11']), ['offsite']);
    assert.deepEqual(await names(['--during', '2027-06..2027-07']), ['standup']);
    assert.deepEqual(await names(['--temporal', '{"before":"2027-03-02"}']), ['launch']);
  });
});

describe('help', () => {
  it('shows real placeholders, positional arguments, each command once by the short form the README teaches', async () => {
    const top = await me(['--help'], { env });
    assert.equal(top.code, 0);
    assert.doesNotMatch(top.stdout, /#0/);
    const lines = top.stdout.split('\n').filter((l) => /^ {2}me /.test(l)).map((l) => l.trim().split(/\s{2,}/)[0]!);
    const commands = lines.map((l) => l.replace(/ [<[].*$/, ''));
    assert.equal(new Set(commands).size, commands.length, `each command once: ${commands.join(', ')}`);
    for (const short of ['me remember', 'me get', 'me search', 'me tree', 'me count', 'me mv', 'me cp', 'me rm', 'me history', 'me revert', 'me edit']) {
      assert.ok(commands.includes(short), `${short} at the top level`);
    }
    for (const long of ['me memory create', 'me memory search', 'me memory rm', 'me memory mv']) assert.ok(!commands.includes(long), `${long} is an alias, not listed`);
    assert.ok(lines.includes('me remember [<content>...]'));
    assert.ok(lines.includes('me revert <id|path> [<version>]'));

    const one = await me(['remember', '--help'], { env });
    assert.match(one.stdout, /Usage\n {2}me remember \[<content>\.\.\.\] \[options\]\n {2}\(also: me memory create\)/);
    assert.match(one.stdout, /--tree <path> /);
    assert.match(one.stdout, /--on-conflict <error\|replace\|ignore>/);
    assert.doesNotMatch(one.stdout, /#0/);
    const help = await me(['help', 'rm'], { env });
    assert.match(help.stdout, /me rm <id\|path\|tree> \[options\]/);
    assert.match(help.stdout, /-r, --recursive/);
  });
});

describe('deleting at a terminal', () => {
  it('rm -r shows the count and paths and asks; no keeps everything, yes deletes and prints the ids and how to restore', async () => {
    for (const n of ['a', 'b', 'c']) await meJson(['remember', `scratch ${n}`, '--tree', `/scratch/${n}`, '--name', n], { env });
    const no = await meTty(['rm', '-r', '/scratch'], { env, answers: 'n\n' });
    assert.equal(no.code, 1, no.output);
    assert.match(no.output, /This deletes 3 memories under \/scratch:\n {2}\/scratch\/\w\/\w\n/);
    assert.match(no.output, /Delete all 3\? \[y\/N\]/);
    assert.match(no.output, /Not deleted\./);
    assert.equal(await count('/scratch'), 3);

    const yes = await meTty(['rm', '-r', '/scratch'], { env, answers: 'y\n' });
    assert.equal(yes.code, 0, yes.output);
    assert.match(yes.output, /Deleted 3 memories under \/scratch\./);
    assert.match(yes.output, /me (restore|history|revert)/);
    assert.equal(await count('/scratch'), 0);
  });

  it('rm of one memory shows it and asks; --yes skips the question; the output names the id and how to restore it', async () => {
    const m = await meJson(['remember', 'one to go', '--tree', '/single', '--name', 'gone'], { env });
    const no = await meTty(['rm', '/single/gone'], { env, answers: '\n' });
    assert.equal(no.code, 1, no.output);
    assert.match(no.output, new RegExp(`Delete /single/gone \\(id ${m.id}, version 1: "one to go"\\)\\? \\[y/N\\]`));
    assert.equal(await count('/single'), 1);
    const yes = await meTty(['rm', '/single/gone', '--yes'], { env });
    assert.equal(yes.code, 0, yes.output);
    assert.doesNotMatch(yes.output, /\[y\/N\]/);
    assert.match(yes.output, new RegExp(`Deleted /single/gone \\(id ${m.id}\\)\\.`));
    assert.match(yes.output, new RegExp(`me (restore|history) ${m.id}`));
    assert.equal(await count('/single'), 0);
  });

  it('space delete at a terminal says how many memories go and wants the slug typed', async () => {
    await meJson(['space', 'create', 'doomed'], { env });
    await meJson(['remember', 'x', '--tree', '/d', '--space', 'doomed'], { env });
    const wrong = await meTty(['space', 'delete', 'doomed'], { env, answers: 'nope\n' });
    assert.equal(wrong.code, 1, wrong.output);
    assert.match(wrong.output, /Space doomed holds 1 memory; deleting it removes them/);
    assert.match(wrong.output, /Not deleted/);
    const right = await meTty(['space', 'delete', 'doomed'], { env, answers: 'doomed\n' });
    assert.equal(right.code, 0, right.output);
    assert.match(right.output, /Deleted space doomed and its 1 memory\./);
  });
});
