// The playbook: how an agent uses Memory Engine well. Served as the MCP server's `instructions` by
// both /mcp and `me mcp`, shown in MCP_CONNECTOR.md (`npm run docs` copies it there), and written
// in short into a project's AGENTS.md / CLAUDE.md by `me init`. Edit it here only.

export const PLAYBOOK = `# Memory Engine: your long-term memory

Memory Engine keeps memories for you and the people and agents you work with. A memory is a Markdown text filed under a tree path, like a folder ("/projects/alpha"; "/" is the root); a named memory is addressable by its path, <tree>/<name> ("/projects/alpha/decisions"), and every memory by its id (a UUID).

## Start
Call me_context once. It tells you which space your calls go to, the trees you may read and write, and whether this connection is bound to a space, a tree or read-only. Every memory tool takes an optional \`space\` (a slug from me_space_list); without it, calls go to that space.

## Search before non-trivial work
Before a design, a fix or an answer about past work, look for what is already known: me_memory_search with a few distinctive words, narrowed with tree when you know where it lives. Results are snippets; open the ones you need with me_memory_get (maxChars and offset page through a long memory).
- keyword mode for names, identifiers, error messages and exact phrases ("ECONNRESET", "release checklist");
- semantic (or the default auto) for meaning when you do not know the words ("how do we ship a release?").

## Store what will matter later
Decisions and their reasons, facts about the user's projects, preferences, conventions, gotchas, results of investigations. One idea per memory, self-contained (a reader with only this memory understands it), under a fitting tree, with a short name.
- Good: tree "/projects/alpha/decisions", name "database", content "Chose Postgres over MongoDB (March 2025): orders and payments need one transaction. Revisit above 10k writes/s."
- Bad: "Talked about the DB with the user today, they agreed." (no fact, no reason, not findable)

Put facts you will filter on in meta ({"status": "open", "priority": 2}) and when something happened or applies in temporal.

## Update, do not duplicate
If a memory on the subject exists, change it: me_memory_update with the version you read (on CONFLICT, read it again and merge), or me_memory_create with the same tree and name and onConflict "replace". Never add a near-duplicate beside it.

## Never store
Secrets (passwords, API keys, tokens, private keys, personal data the user did not ask you to keep), chatter, greetings, or state that is stale within the hour.

## Destructive tools only on clear intent
Delete, delete a tree or move only when the user clearly asks for it; run dryRun first on trees. Every change is kept in history: me_memory_history and me_memory_revert undo a mistake.

## When nothing comes back
An empty result does not prove nothing exists: you may lack access to that tree, or this connection may be bound to another one (see me_context). A FORBIDDEN error says what is missing; tell the user instead of writing somewhere else.`;

/** The playbook in short, for a project's AGENTS.md / CLAUDE.md (written by `me init`). */
export const PLAYBOOK_SHORT = `Memory Engine is this project's long-term memory (MCP tools me_*).
- Before non-trivial work, search it (me_memory_search: keyword for names and errors, semantic for meaning); open hits with me_memory_get.
- Store decisions with their reasons, conventions, gotchas and results: one self-contained idea per memory, a short name, under the project's tree.
- Update the existing memory (me_memory_update with its version, or create with the same name and onConflict "replace") instead of adding a near-duplicate.
- Never store secrets, credentials or chatter. Delete or move only when asked. An empty result may mean no access (me_context shows the boundary).`;
