import { rng, type Rng } from './random.js';

// Realistic-looking agent memories: English-ish sentences about projects, people and decisions,
// filed in trees 1-4 levels deep, with a little meta and sometimes a time. Deterministic per seed.

const nouns = `system service database index query cache deploy release branch migration schema table user
customer account invoice payment report dashboard metric alert incident outage latency budget roadmap
milestone feature bug ticket review design proposal decision meeting agenda summary note idea risk
dependency library framework api endpoint token session permission role team manager engineer designer
contract vendor server cluster node queue worker job pipeline build test coverage benchmark profile
memory storage backup restore snapshot region zone network firewall certificate domain email calendar
document spreadsheet presentation prototype experiment hypothesis result dataset model embedding search
ranking filter tag label folder archive log trace span event webhook integration plugin extension
sprint standup retro demo launch campaign audience survey feedback interview persona pricing plan quota
license policy compliance audit security password key secret rotation onboarding handbook checklist`.split(/\s+/);

const verbs = `decided agreed proposed rejected shipped fixed broke migrated reviewed approved deferred measured
reduced increased moved renamed deleted archived documented tested deployed rolled scheduled cancelled
discussed escalated investigated resolved reproduced benchmarked profiled refactored split merged
configured rotated upgraded downgraded replaced introduced deprecated announced planned estimated`.split(/\s+/);

const adjectives = `slow fast flaky stable critical minor urgent blocked stale fresh expensive cheap noisy quiet
large small internal external legacy modern manual automatic weekly monthly quarterly public private
shared personal primary secondary partial complete temporary permanent experimental`.split(/\s+/);

const people = `alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil
trent victor walter yvonne zara omar priya kenji lucia mateo`.split(/\s+/);

const projects = `alpha bravo charlie delta echo foxtrot gemini helios iris juno kepler lyra mercury nova orion
pegasus quasar rigel sirius titan`.split(/\s+/);

const subtopics = ['design', 'bugs', 'planning', 'retro', 'ops', 'research', 'customers', 'security', 'perf', 'docs'];
const leaves = ['open', 'closed', 'draft', 'final', 'q1', 'q2', 'q3', 'q4'];
const sources = ['slack', 'email', 'meeting', 'github', 'jira', 'agent', 'web', 'manual'];

// Jargon: product names, identifiers and domain words. Real notes have a long tail of rare terms,
// which is what makes most searches selective; built from syllables so it needs no word list.
const syllables = 'ka lo mi ra ten vo sul dar pex qui nor bel fin gra tos wen zu cal mor dri sen lup har vik ost'.split(' ');
const jargon = (() => {
  const r = rng(7);
  const out = new Set<string>();
  while (out.size < 4000) out.add(Array.from({ length: 2 + r.int(2) }, () => r.pick(syllables)).join(''));
  return [...out];
})();

/** A content word: mostly common nouns (Zipf-like), often a rarer jargon term. */
const term = (r: Rng) => (r.next() < 0.65 ? r.zipf(nouns) : r.zipf(jargon));

// Sentence frames. Their fixed words are not content words, so searches for content words do not
// match every memory built from the same frame.
const sentenceTemplates: ((r: Rng) => string)[] = [
  (r) => `We ${r.pick(verbs)} the ${r.pick(adjectives)} ${term(r)} after the ${term(r)} ${term(r)} became ${r.pick(adjectives)}.`,
  (r) => `${cap(r.pick(people))} ${r.pick(verbs)} that the ${term(r)} should use a ${r.pick(adjectives)} ${term(r)}.`,
  (r) => `The ${term(r)} for ${cap(r.pick(projects))} is ${r.pick(adjectives)}; ${r.pick(people)} owns the ${term(r)}.`,
  (r) => `Remember: ${term(r)} ${term(r)} must be ${r.pick(verbs)} before the ${term(r)}.`,
  (r) => `${cap(r.pick(people))} prefers ${r.pick(adjectives)} ${term(r)} over ${r.pick(adjectives)} ${term(r)}.`,
  (r) => `Today we ${r.pick(verbs)} ${1 + r.int(40)} ${term(r)} items and ${r.pick(verbs)} the ${term(r)}.`,
  (r) => `Action: ${r.pick(people)} to ${r.pick(['check', 'update', 'write', 'fix', 'ask about'])} the ${term(r)} ${term(r)} by ${r.pick(['Monday', 'Friday', 'next sprint', 'end of month'])}.`,
  (r) => `The ${term(r)} went from ${10 + r.int(900)} ms to ${5 + r.int(200)} ms once the ${term(r)} was ${r.pick(verbs)}.`,
];

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

export interface GeneratedMemory {
  tree: string;
  name?: string;
  content: string;
  meta: Record<string, unknown>;
  temporal?: { start: string; end?: string };
}

function treeFor(r: Rng): string {
  const area = r.pick(['projects', 'projects', 'projects', 'people', 'meetings', 'notes', 'decisions', 'research']);
  const parts = [area];
  const depth = 1 + r.int(4); // 1-4 levels
  if (depth >= 2) parts.push(area === 'people' ? r.pick(people) : area === 'meetings' ? `y2025_m${1 + r.int(12)}` : r.pick(projects));
  if (depth >= 3) parts.push(r.pick(subtopics));
  if (depth >= 4) parts.push(r.pick(leaves));
  return '/' + parts.join('/');
}

/** Memory number `i` of the data set with this seed (the same i always gives the same memory). */
export function memoryAt(seed: number, i: number): GeneratedMemory {
  const r = rng(seed * 1_000_003 + i);
  const sentences = 1 + r.int(6);
  const content = Array.from({ length: sentences }, () => r.pick(sentenceTemplates)(r)).join(' ');
  const meta: Record<string, unknown> = { source: r.pick(sources), priority: 1 + r.int(5) };
  if (r.next() < 0.5) meta.tags = [r.zipf(nouns), r.zipf(adjectives)];
  if (r.next() < 0.3) meta.author = r.pick(people);
  const m: GeneratedMemory = { tree: treeFor(r), content, meta };
  if (r.next() < 0.2) m.name = `note-${i}`;
  if (r.next() < 0.4) {
    const start = Date.UTC(2024, 0, 1) + r.int(730) * 86_400_000 + r.int(86_400) * 1000;
    m.temporal = r.next() < 0.5 ? { start: new Date(start).toISOString() } : { start: new Date(start).toISOString(), end: new Date(start + (1 + r.int(72)) * 3_600_000).toISOString() };
  }
  return m;
}

/** Memories [from, to) of the data set. */
export function memories(seed: number, from: number, to: number): GeneratedMemory[] {
  const out: GeneratedMemory[] = [];
  for (let i = from; i < to; i++) out.push(memoryAt(seed, i));
  return out;
}

export interface SearchCase { query: string; tree: string }

const contentWords = new Set([...nouns, ...jargon]);

/**
 * Search cases like an agent's: 1-2 content words taken from a memory that exists (so frequent
 * words are searched more often, as in real use), within a 1- or 2-level tree prefix.
 */
export function searchCases(seed: number, n: number, size: number): SearchCase[] {
  const r = rng((seed ^ 0x5eed) + size);
  return Array.from({ length: n }, () => {
    const source = memoryAt(seed, r.int(size));
    const words = [...new Set(source.content.toLowerCase().match(/[a-z]+/g)!.filter((w) => contentWords.has(w)))];
    const query = Array.from({ length: r.next() < 0.5 ? 1 : 2 }, () => r.pick(words)).filter((w, i, a) => a.indexOf(w) === i).join(' ');
    const parts = source.tree.split('/').filter(Boolean);
    const tree = '/' + parts.slice(0, r.next() < 0.5 || parts.length < 2 ? 1 : 2).join('/');
    return { query, tree };
  });
}
