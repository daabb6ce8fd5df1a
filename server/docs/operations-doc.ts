import { z } from 'zod';
import { contracts } from '../../contracts/index.js';
import { toolName, type Access } from '../../contracts/define.js';
import { errorCodes, reasons } from '../../contracts/errors.js';

interface JsonSchema {
  type?: string | string[]; description?: string; properties?: Record<string, JsonSchema>; required?: string[];
  items?: JsonSchema; enum?: unknown[]; anyOf?: JsonSchema[]; default?: unknown; const?: unknown;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `${s.items ? typeOf(s.items) : 'any'}[]`;
  if (Array.isArray(s.type)) return s.type.join(' \\| ');
  return s.type ?? 'any';
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function describeAccess(a: Access) {
  const where = a.space === 'none' ? 'your own account (no space)' : a.space === 'admin' ? 'a space you administer' : 'a space you belong to';
  const level = a.level ? `, **${a.level}** on the affected tree` : '';
  const who = [
    'signed-in people',
    a.apiKeys ? 'API keys' : null,
    a.apiKeys && a.restricted ? 'restricted API keys' : null,
    a.serviceAccounts ? 'service accounts' : null,
  ].filter(Boolean).join(', ');
  return `${where}${level}; OAuth scope \`${a.scope}\`; callable by ${who}`;
}

function fields(schema: JsonSchema): string[] {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  return Object.entries(props).map(([name, p]) => {
    const def = p.default !== undefined ? ` (default \`${JSON.stringify(p.default)}\`)` : '';
    return `| \`${name}\` | ${cell(typeOf(p))} | ${required.has(name) && p.default === undefined ? 'yes' : ''} | ${cell(p.description ?? '')}${def} |`;
  });
}

/** docs/operations.md, generated from the contracts (npm run docs). */
export function operationsMarkdown(): string {
  const out: string[] = [
    '# Operations',
    '',
    '<!-- Generated from contracts by `npm run docs`; do not edit by hand. -->',
    '',
    'Every operation is declared once in `contracts/`; the JSON-RPC method, the MCP tool, the CLI',
    'command and this page all come from that declaration. Call them with JSON-RPC 2.0 at',
    '`POST /api/v1/memory/rpc` or `POST /api/v1/user/rpc` (the endpoint is listed per operation).',
    '',
    '| Operation | Endpoint | MCP tool | Summary |',
    '|---|---|---|---|',
    ...contracts.map((c) => `| [\`${c.name}\`](#${c.name.replace(/\./g, '').toLowerCase()}) | ${c.endpoint} | ${c.tool ? `\`${toolName(c.name)}\`` : ''} | ${cell(c.summary)} |`),
    '',
    '## Errors',
    '',
    'A failed call answers a JSON-RPC error whose `data` holds `code` (the class below) and `reason`',
    '(stable and machine-readable: decide on it, never on the message, which is written for people).',
    '',
    '| Reason | Code | JSON-RPC code | Meaning |',
    '|---|---|---|---|',
    ...Object.entries(reasons).map(([reason, r]) => `| \`${reason}\` | \`${r.code}\` | ${errorCodes[r.code]} | ${cell(r.summary)} |`),
    '',
  ];
  for (const c of contracts) {
    const input = z.toJSONSchema(c.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const output = z.toJSONSchema(c.output, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
    out.push(
      `## ${c.name}`,
      '',
      c.summary,
      '',
      c.description,
      '',
      `- Endpoint: \`/api/v1/${c.endpoint}/rpc\``,
      `- Access: ${describeAccess(c.access)}`,
      `- Hints: ${c.hints.readOnly ? 'read-only' : 'writes'}${c.hints.destructive ? ', destructive' : ''}${c.hints.idempotent ? ', idempotent' : ''}`,
      ...(c.tool ? [`- MCP tool: \`${toolName(c.name)}\``] : []),
      '',
    );
    const params = fields(input);
    out.push(...(params.length ? ['| Parameter | Type | Required | Description |', '|---|---|---|---|', ...params] : ['No parameters.']), '');
    const result = fields(output);
    if (result.length) out.push('Result:', '', '| Field | Type | | Description |', '|---|---|---|---|', ...result, '');
  }
  out.push(...errorsSection());
  return out.join('\n');
}

/** The reason catalogue (contracts/errors.ts): what `error.data.reason` can say, under which code. */
function errorsSection(): string[] {
  return [
    '## Errors',
    '',
    'A failed call answers a JSON-RPC error whose `data.code` is the application code and `data.reason` a',
    'stable reason from this list (decide on the reason, never on the message text). The message says what',
    'was wrong and how to fix it; validation errors name the field.',
    '',
    '| Reason | Code | JSON-RPC code | Meaning |',
    '|---|---|---|---|',
    ...Object.entries(reasons).map(([reason, r]) => `| \`${reason}\` | \`${r.code}\` | ${errorCodes[r.code]} | ${cell(r.summary)} |`),
    '',
  ];
}
