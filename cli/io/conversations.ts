import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MAX_CONTENT_BYTES, utf8Length } from '../../contracts/memory-shapes.js';
import { ImportError, type Item } from './formats.js';

// `me import --from …`: existing conversations as memories, one per conversation: the title as name
// (made unique by the source id), a readable transcript as content, the date as temporal, the source
// ids in meta. Named, so importing the same export again updates a conversation only if it changed.

export const CONVERSATION_SOURCES = ['claude-code', 'claude-export', 'chatgpt-export'] as const;
export type ConversationSource = (typeof CONVERSATION_SOURCES)[number];

interface Turn { role: 'user' | 'assistant'; text: string }
interface Conversation { source: ConversationSource; id: string; title: string; created: string | null; updated: string | null; turns: Turn[]; tree: string; extra?: Record<string, unknown> }

const label = (s: string) => s.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60) || 'untitled';

/** A memory name: the title's words, then the source id, so two chats titled alike never collide. */
const nameOf = (c: Conversation) => `${label(c.title).slice(0, 60)}-${c.id.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 60)}`.replace(/^[.-]+/, '');

const iso = (v: unknown): string | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v * 1000).toISOString();
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  return null;
};

function transcript(c: Conversation): string {
  const head = `# ${c.title}\n\n`;
  let body = c.turns.map((t) => `**${t.role === 'user' ? 'User' : 'Assistant'}:** ${t.text.trim()}`).join('\n\n');
  // A memory holds at most 1 MB: a longer conversation keeps its beginning and says so.
  const room = MAX_CONTENT_BYTES - utf8Length(head) - 200;
  if (utf8Length(body) > room) {
    let cut = Math.floor(room / 4);
    while (cut < body.length && utf8Length(body.slice(0, cut * 2)) <= room) cut *= 2;
    while (utf8Length(body.slice(0, cut)) > room) cut = Math.floor(cut * 0.9);
    body = `${body.slice(0, cut)}\n\n… (the rest of this ${c.turns.length}-message conversation did not fit in one memory)`;
  }
  return head + body;
}

function toItem(c: Conversation): Item {
  const start = c.created ?? c.updated;
  return {
    tree: c.tree,
    name: nameOf(c),
    content: transcript(c),
    meta: { source: c.source, conversationId: c.id, messages: c.turns.length, ...(c.updated ? { updatedAt: c.updated } : {}), ...c.extra },
    ...(start ? { temporal: { start } } : {}),
  };
}

const readJson = (file: string): unknown => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ImportError(`${file}: not JSON (${(err as Error).message}); point --from at the export's conversations.json (unzip the export first)`);
  }
};
const conversationsFile = (source: string) => (statSync(source).isDirectory() ? join(source, 'conversations.json') : source);

/** ChatGPT's export (conversations.json): each conversation a tree of messages; the branch shown last is read. */
function chatgpt(source: string): Conversation[] {
  const file = conversationsFile(source);
  const doc = readJson(file);
  if (!Array.isArray(doc)) throw new ImportError(`${file}: expected a list of conversations (ChatGPT's conversations.json)`);
  return doc.map((raw: any, i): Conversation => {
    const mapping = (raw?.mapping ?? {}) as Record<string, { message?: any; parent?: string | null }>;
    const path: any[] = [];
    for (let node = raw?.current_node as string | undefined; node && mapping[node]; node = mapping[node]!.parent ?? undefined) path.push(mapping[node]!.message);
    const turns = path.reverse().flatMap((m): Turn[] => {
      const role = m?.author?.role;
      const text = (m?.content?.parts ?? []).filter((p: unknown) => typeof p === 'string').join('\n').trim();
      return (role === 'user' || role === 'assistant') && text ? [{ role, text }] : [];
    });
    const id = String(raw?.conversation_id ?? raw?.id ?? `index-${i}`);
    return { source: 'chatgpt-export', id, title: String(raw?.title || 'Untitled'), created: iso(raw?.create_time), updated: iso(raw?.update_time), turns, tree: '/conversations/chatgpt' };
  });
}

/** The claude.ai export (conversations.json): each conversation a list of chat_messages. */
function claudeExport(source: string): Conversation[] {
  const file = conversationsFile(source);
  const doc = readJson(file);
  if (!Array.isArray(doc)) throw new ImportError(`${file}: expected a list of conversations (the claude.ai export's conversations.json)`);
  return doc.map((raw: any, i): Conversation => {
    const turns = ((raw?.chat_messages ?? []) as any[]).flatMap((m): Turn[] => {
      const blocks = Array.isArray(m?.content) ? m.content.filter((b: any) => b?.type === 'text' && typeof b.text === 'string').map((b: any) => b.text) : [];
      const text = (blocks.length ? blocks.join('\n') : typeof m?.text === 'string' ? m.text : '').trim();
      const role = m?.sender === 'human' ? 'user' : m?.sender === 'assistant' ? 'assistant' : null;
      return role && text ? [{ role, text }] : [];
    });
    return { source: 'claude-export', id: String(raw?.uuid ?? `index-${i}`), title: String(raw?.name || 'Untitled'), created: iso(raw?.created_at), updated: iso(raw?.updated_at), turns, tree: '/conversations/claude' };
  });
}

/** Claude Code's session transcripts: ~/.claude/projects/<project>/<session>.jsonl, one JSON event per line. */
function claudeCode(source: string): Conversation[] {
  const files: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && depth < 2) walk(join(dir, e.name), depth + 1);
      else if (e.isFile() && e.name.endsWith('.jsonl')) files.push(join(dir, e.name));
    }
  };
  if (statSync(source).isDirectory()) walk(source, 0);
  else files.push(source);
  return files.sort().map((file): Conversation => {
    const turns: Turn[] = [];
    let summary = '';
    let first: string | null = null;
    let last: string | null = null;
    let cwd = '';
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let ev: any;
      try { ev = JSON.parse(line); } catch { continue; } // a line cut by a crash: the rest still reads
      if (ev?.type === 'summary' && typeof ev.summary === 'string') summary ||= ev.summary;
      if (ev?.type !== 'user' && ev?.type !== 'assistant') continue;
      if (ev.isSidechain || ev.isMeta) continue;
      const c = ev.message?.content;
      const text = (typeof c === 'string' ? c : Array.isArray(c) ? c.filter((b: any) => b?.type === 'text').map((b: any) => b.text).join('\n') : '').trim();
      if (!text) continue; // tool calls and results: not the conversation
      turns.push({ role: ev.type, text });
      first ??= iso(ev.timestamp);
      last = iso(ev.timestamp) ?? last;
      cwd ||= typeof ev.cwd === 'string' ? ev.cwd : '';
    }
    const session = basename(file, '.jsonl');
    const project = label(cwd ? basename(cwd) : basename(join(file, '..')));
    const title = summary || (turns.find((t) => t.role === 'user')?.text.split('\n')[0]?.slice(0, 80) ?? 'Untitled session');
    return { source: 'claude-code', id: session, title, created: first, updated: last, turns, tree: `/conversations/claude_code/${project}`, extra: cwd ? { cwd } : {} };
  });
}

/** The conversations in an export, as memories to import; empty conversations are left out. */
export function readConversations(from: ConversationSource, source: string): { items: Item[]; empty: number } {
  const all = from === 'chatgpt-export' ? chatgpt(source) : from === 'claude-export' ? claudeExport(source) : claudeCode(source);
  const kept = all.filter((c) => c.turns.length > 0);
  return { items: kept.map(toItem), empty: all.length - kept.length };
}
